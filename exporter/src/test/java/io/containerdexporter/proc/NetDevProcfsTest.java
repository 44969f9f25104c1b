package io.containerdexporter.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Procfs}: what a vanished pid, an odd link and a bad net/dev do, on temporary trees and on
 * this host.
 */
class NetDevProcfsTest {

  @TempDir Path root;

  private final ReadErrors errors =
      new ReadErrors("procfs", "containerd_exporter_procfs_read_errors_total");

  @Test
  void namespaceLinks() {
    assertEquals(OptionalLong.of(4026531992L), Procfs.parseNamespaceLink("net:[4026531992]"));
    assertEquals(OptionalLong.empty(), Procfs.parseNamespaceLink("mnt:[4026531992]"));
    assertEquals(OptionalLong.empty(), Procfs.parseNamespaceLink("net:[]"));
    assertEquals(OptionalLong.empty(), Procfs.parseNamespaceLink("net:[4026531992] "));
    assertEquals(OptionalLong.empty(), Procfs.parseNamespaceLink("net:[99999999999999999999]"));
    assertEquals(
        OptionalLong.empty(),
        Procfs.parseNamespaceLink("net:[9999999999999999999]"),
        "over Long.MAX");
  }

  @Test
  void aVanishedPidIsEmptyAndNotAnError() throws IOException {
    Procfs procfs = new Procfs(root, errors);
    assertEquals(OptionalLong.empty(), procfs.netNamespace(4242));
    assertEquals(Optional.empty(), procfs.netDev(4242));
    // A zombie: its directory is still there, its namespace files are not.
    Files.createDirectories(root.resolve("4243"));
    assertEquals(OptionalLong.empty(), procfs.netNamespace(4243));
    assertEquals(Optional.empty(), procfs.netDev(4243));
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void anUnusableNamespaceLinkIsCounted() throws IOException {
    link(10, "mnt:[4026531840]");
    Files.createDirectories(root.resolve("11/ns"));
    Files.writeString(root.resolve("11/ns/net"), "not a link");
    Procfs procfs = new Procfs(root, errors);

    assertEquals(OptionalLong.empty(), procfs.netNamespace(10));
    assertEquals(OptionalLong.empty(), procfs.netNamespace(11));
    assertEquals(Map.of("ns/net", 2L), errors.snapshot());
  }

  @Test
  void eachMalformedLineIsCountedAndTheRestKept() throws IOException {
    netDev(
        20,
        NetDevParserTest.HEADER
            + "  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n  eth1: 12 34\n  eth2 12\n");
    Procfs procfs = new Procfs(root, errors);

    List<NetDev.Interface> interfaces = procfs.netDev(20).orElseThrow();

    assertEquals(List.of("eth0"), interfaces.stream().map(NetDev.Interface::name).toList());
    assertEquals(Map.of("net/dev", 2L), errors.snapshot());
  }

  @Test
  void anOversizedFileIsCountedAndNotParsed() throws IOException {
    netDev(
        21, "  eth0: 1 0 0 0 0 0 0 0 2 0 0 0 0 0 0 0\n".repeat(Procfs.MAX_NET_DEV_BYTES / 40 + 1));
    assertEquals(Optional.empty(), new Procfs(root, errors).netDev(21));
    assertEquals(Map.of("net/dev", 1L), errors.snapshot());
  }

  @Test
  void theHostNamespaceIsPid1sAndMustBeReadable() throws IOException {
    Procfs procfs = new Procfs(root, errors);
    assertThrows(IOException.class, procfs::hostNetNamespace, "no pid 1");
    link(1, "net:[4026531992]");
    assertEquals(4026531992L, procfs.hostNetNamespace());
  }

  /** The real thing: this JVM's own namespace and net/dev, which every user may read. */
  @Test
  void thisHostsProcfs() throws IOException {
    Path proc = Path.of("/proc");
    long self = ProcessHandle.current().pid();
    assumeTrue(Files.isDirectory(proc.resolve(Long.toString(self))), "no /proc here");
    Procfs procfs = new Procfs(proc, errors);

    String link = Files.readSymbolicLink(proc.resolve("self/ns/net")).toString();
    assertEquals(Procfs.parseNamespaceLink(link), procfs.netNamespace(self));
    List<NetDev.Interface> interfaces = procfs.netDev(self).orElseThrow();
    assertTrue(interfaces.stream().anyMatch(i -> i.name().equals("lo")), interfaces.toString());
    assertEquals(
        Map.of(), errors.snapshot(), "this kernel's net/dev parses without a malformed line");
  }

  private void link(long pid, String target) throws IOException {
    Files.createDirectories(root.resolve(pid + "/ns"));
    Files.createSymbolicLink(root.resolve(pid + "/ns/net"), Path.of(target));
  }

  private void netDev(long pid, String text) throws IOException {
    Files.createDirectories(root.resolve(pid + "/net"));
    Files.writeString(root.resolve(pid + "/net/dev"), text);
  }
}
