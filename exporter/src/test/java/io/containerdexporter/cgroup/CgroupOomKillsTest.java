package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.metrics.ReadErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link CgroupReader#oomKills}: the one place the kernel's OOM-kill counter is read, by the event
 * path too.
 */
class CgroupOomKillsTest {

  @Test
  void readsCgroupV1OomControl(@TempDir Path root) throws Exception {
    Path dir = Files.createDirectories(root.resolve("memory/default/c1"));
    Files.writeString(
        dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
    CgroupReader reader =
        CgroupReaders.detect(
            root,
            new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total"),
            CgroupFixtures.readFailures());
    assertEquals(OptionalLong.of(3), reader.oomKills("/default/c1"));
    assertEquals(
        reader.read("/default/c1").stats().orElseThrow().oomKills(),
        reader.oomKills("/default/c1"),
        "the same value the task-stats read gives");
  }

  @Test
  void readsCgroupV2MemoryEvents(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
    Path dir = Files.createDirectories(root.resolve("kubepods.slice/c1.scope"));
    Files.writeString(
        dir.resolve("memory.events"),
        "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n");
    assertEquals(
        OptionalLong.of(2),
        CgroupReaders.detect(
                root,
                new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total"),
                CgroupFixtures.readFailures())
            .oomKills("/kubepods.slice/c1.scope"));
  }

  @Test
  void aPathThatLeavesTheHierarchyIsNeverRead(@TempDir Path root) throws Exception {
    Path hierarchy = Files.createDirectories(root.resolve("cgroup"));
    Files.writeString(hierarchy.resolve("cgroup.controllers"), "memory\n");
    Files.writeString(root.resolve("memory.events"), "oom_kill 7\n"); // outside the hierarchy
    CgroupReader reader =
        CgroupReaders.detect(
            hierarchy,
            new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total"),
            CgroupFixtures.readFailures());
    assertEquals(OptionalLong.empty(), reader.oomKills("/.."));
    assertEquals(OptionalLong.empty(), reader.oomKills("/a/../.."));
  }

  @Test
  void missingOrMalformedIsEmptyNeverAnException(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "memory\n");
    Files.createDirectories(root.resolve("bad"));
    Files.writeString(root.resolve("bad/memory.events"), "oom_kill lots\n");
    Files.createDirectories(root.resolve("huge"));
    Files.writeString(root.resolve("huge/memory.events"), "oom_kill 99999999999999999999999\n");
    ReadErrors errors = new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total");
    CgroupReader reader = CgroupReaders.detect(root, errors, CgroupFixtures.readFailures());
    assertEquals(OptionalLong.empty(), reader.oomKills("/gone"));
    assertEquals(OptionalLong.empty(), reader.oomKills(""));
    assertEquals(OptionalLong.empty(), reader.oomKills("/bad"));
    assertEquals(OptionalLong.empty(), reader.oomKills("/huge"));
    assertEquals(
        2, errors.count("memory.events"), "unusable files are counted, a missing one is not");
    assertEquals(
        OptionalLong.empty(),
        CgroupReaders.detect(root.resolve("nothing-mounted"), errors, CgroupFixtures.readFailures())
            .oomKills("/default/c1"),
        "v1 without a memory controller");
  }
}
