package io.containerdexporter.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ProcessFilesTest {

  @Test
  void statFieldsAfterTheLastParenthesis() {
    String stat = "42 (a) b)) S 1 42 42 0 -1 4194560 5 0 0 0 700 300 0 0 20 0 12 0 9999 1 2 3\n";
    assertEquals(Optional.of(new ProcessFiles.Stat(700, 300, 9999)), ProcessFiles.parseStat(stat));
    assertEquals(Optional.empty(), ProcessFiles.parseStat("42 (cut"));
    assertEquals(Optional.empty(), ProcessFiles.parseStat("42 (x) S 1 2"));
  }

  @Test
  void statusOfAZombieHasNoMemory() {
    assertEquals(
        Optional.of(new ProcessFiles.Status(0, 1)),
        ProcessFiles.parseStatus("Name:\tz\nState:\tZ (zombie)\nThreads:\t1\n"));
    assertEquals(Optional.empty(), ProcessFiles.parseStatus("VmRSS:\tlots kB\nThreads:\t1\n"));
  }

  @Test
  void listeningSocketNotTheAcceptedOnes() {
    String table =
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
            + "0000: 00000003 00000000 00000000 0001 03 824296 /run/c.sock\n"
            + "0000: 00000002 00000000 00010000 0001 01 824100 /run/c.sock\n"
            + "0000: 00000002 00000000 00010000 0001 01 824101 /run/c.sock.ttrpc\n";
    assertEquals(OptionalLong.of(824100), ProcessFiles.listeningInode(table, "/run/c.sock"));
    assertEquals(OptionalLong.empty(), ProcessFiles.listeningInode(table, "/run/other.sock"));
  }

  @Test
  void shimCommandLines() {
    assertEquals(
        Optional.of(new ShimCommand("io.containerd.runc.v2", "k8s.io", "abc", "/run/c.sock")),
        ShimCommand.parse(
            ProcessFiles.parseCmdline(
                "/usr/bin/containerd-shim-runc-v2\0-namespace\0k8s.io\0-id\0abc\0-address\0/run/c.sock\0")));
    assertEquals(
        "io.containerd.kata.v2",
        ShimCommand.parse(
                List.of("containerd-shim-kata-v2", "-namespace", "n", "-id", "i", "-address", "a"))
            .orElseThrow()
            .runtime());
    assertEquals(
        Optional.empty(),
        ShimCommand.parse(
            List.of(
                "containerd-shim-runc-v2",
                "-namespace",
                "n",
                "-id",
                "i",
                "-address",
                "a",
                "start")));
    assertEquals(Optional.empty(), ShimCommand.parse(List.of("/usr/bin/containerd")));
    assertEquals(Optional.empty(), ShimCommand.parse(List.of()));
  }
}
