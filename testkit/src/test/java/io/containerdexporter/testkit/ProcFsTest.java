package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProcFsTest {
  @Test
  void parsesMountsAndUndoesOctalEscapes() {
    String mounts =
        """
                overlay /tmp/ctrd-sbx-1/state/io.containerd.runtime.v2.task/it/s1/rootfs overlay rw,relatime 0 0
                tmpfs /mnt/with\\040space tmpfs rw 0 0
                cgroup2 /sys/fs/cgroup/unified cgroup2 rw,relatime 0 0
                """;

    List<ProcFs.MountEntry> entries = ProcFs.parseMounts(mounts);

    assertEquals(3, entries.size());
    assertEquals(
        Path.of("/tmp/ctrd-sbx-1/state/io.containerd.runtime.v2.task/it/s1/rootfs"),
        entries.get(0).mountPoint());
    assertEquals(Path.of("/mnt/with space"), entries.get(1).mountPoint());
    assertEquals("cgroup2", entries.get(2).fsType());
  }

  @Test
  void leavesNonOctalBackslashesAlone() {
    assertEquals("a\\b", ProcFs.unescape("a\\b"));
    assertEquals("tab\there", ProcFs.unescape("tab\\011here"));
    assertEquals("end\\04", ProcFs.unescape("end\\04"));
  }
}
