package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Reads this JVM's own cgroup on the real kernel, so the readers are proven on what a kernel
 * writes, not only on fixtures. Skipped where there is no /sys/fs/cgroup (not Linux, or a sandbox
 * without it).
 */
class CgroupReaderHostTest {

  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final ReadErrors errors = CgroupFixtures.readErrors();

  @Test
  void readsTheTestJvmsOwnCgroup() throws IOException {
    Map<String, String> paths = ownCgroups();
    CgroupReader reader = CgroupReaders.detect(ROOT, errors, CgroupFixtures.readFailures());
    String memoryPath = reader.unified() ? paths.get("") : paths.get("memory");
    String cpuPath = reader.unified() ? paths.get("") : paths.get("cpuacct");
    assumeTrue(
        memoryPath != null && cpuPath != null,
        "no memory/cpuacct cgroup in /proc/self/cgroup: " + paths);

    // On v1 each controller has its own path (here memory is in a nested cgroup, cpuacct maybe the
    // root): one read
    // per path, as the collector will do for a task, whose paths are all the same.
    CgroupStats memory = reader.read(memoryPath).stats().orElseThrow();
    long usage = memory.memoryUsageBytes().orElseThrow();
    assertTrue(usage > 0, "usage " + usage);
    long workingSet = memory.memoryWorkingSetBytes().orElseThrow();
    assertTrue(workingSet > 0 && workingSet <= usage, "working set " + workingSet + " of " + usage);
    assertTrue(memory.memoryRssBytes().orElseThrow() > 0, "a JVM has anonymous memory");
    assertTrue(memory.memoryCacheBytes().isPresent());
    assertTrue(memory.oomKills().isPresent(), "oom_kill is in every kernel since 4.13");
    if (!reader.unified() || memory.memoryMaxUsageBytes().isPresent()) {
      assertTrue(
          memory.memoryMaxUsageBytes().orElseThrow() >= usage, "max usage is read after usage");
    }

    CgroupStats cpu = reader.read(cpuPath).stats().orElseThrow();
    double seconds = cpu.cpuUsageSeconds().orElseThrow();
    assertTrue(seconds > 0, "cpu " + seconds);
    assertTrue(cpu.cpuUserSeconds().orElseThrow() > 0, "this JVM has run user code");
    assertTrue(cpu.cpuSystemSeconds().orElseThrow() >= 0);
    assertTrue(cpu.cfsPeriods().isPresent() || reader.unified(), "cpu.stat is read on v1");

    assertEquals(Map.of(), errors.snapshot(), "the real kernel's files all parse cleanly");
  }

  @Test
  void readsTheHybridUnifiedHierarchyWithTheV2Reader() {
    // On a hybrid host, cgroup2 at /sys/fs/cgroup/unified has cpu.stat and the PSI files in every
    // cgroup even
    // without controllers: real kernel text for the v2 parsers.
    Path unified = ROOT.resolve("unified");
    assumeTrue(Files.exists(unified.resolve("cgroup.controllers")), "not a hybrid host");
    CgroupReader reader = CgroupReaders.detect(unified, errors, CgroupFixtures.readFailures());
    assertTrue(reader.unified());
    CgroupStats root = reader.read("/").stats().orElseThrow();
    assertTrue(root.cpuUsageSeconds().orElseThrow() > 0);
    if (Files.exists(unified.resolve("cpu.pressure"))) {
      assertTrue(root.cpuPressure().orElseThrow().someSeconds() >= 0);
    }
    assertTrue(
        root.pidsCurrent().orElseThrow() >= 0, "from cgroup.procs: no pids controller at the root");
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void aCgroupThatDoesNotExistOnTheHostIsEmpty() {
    assumeTrue(Files.isDirectory(ROOT));
    assertEquals(
        Optional.empty(),
        CgroupReaders.detect(ROOT, errors, CgroupFixtures.readFailures())
            .read("/no-such-cgroup-" + ProcessHandle.current().pid())
            .stats());
  }

  /**
   * controller ("" for the v2 line) → path, from /proc/self/cgroup ("4:memory:/a/b", "0::/a/b").
   */
  private static Map<String, String> ownCgroups() throws IOException {
    Path self = Path.of("/proc/self/cgroup");
    assumeTrue(Files.isReadable(self) && Files.isDirectory(ROOT), "no cgroups here");
    Map<String, String> paths = new HashMap<>();
    for (String line : Files.readAllLines(self)) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3) {
        for (String controller : parts[1].split(",")) {
          paths.put(controller, parts[2]);
        }
      }
    }
    return paths;
  }
}
