package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The root cgroup (cAdvisor's id="/") over the root-v1 and root-v2 fixture trees; values from their
 * READMEs.
 */
class RootCgroupReaderTest {

  static final Path PROCFS = Path.of("src/test/resources/procfs-root");

  private final ReadErrors errors = CgroupFixtures.readErrors();

  private RootCgroupReader root(Path cgroupfs, Path procfs) {
    return new RootCgroupReader(
        cgroupfs,
        procfs,
        CgroupReaders.detect(cgroupfs, errors, CgroupFixtures.readFailures()),
        errors);
  }

  @Test
  void v1RootHasItsOwnFiles() {
    CgroupStats s = root(CgroupFixtures.tree("root-v1"), PROCFS).read().orElseThrow();
    assertEquals(OptionalDouble.of(987654.321), s.cpuUsageSeconds());
    assertEquals(OptionalDouble.of(76543.21), s.cpuUserSeconds());
    assertEquals(OptionalLong.of(8123456512L), s.memoryUsageBytes());
    assertEquals(OptionalLong.of(6000000000L), s.memoryWorkingSetBytes());
    assertEquals(OptionalLong.of(3500000000L), s.memoryRssBytes());
    assertEquals(OptionalLong.of(52428800), s.memorySwapBytes(), "total_swap, not meminfo");
    assertEquals(OptionalLong.of(3), s.oomKills());
    assertEquals(OptionalLong.empty(), s.pidsCurrent(), "no pids hierarchy in the fixture");
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v2RootMemoryEmulatedAsLibcontainerDoes() {
    CgroupStats s = root(CgroupFixtures.tree("root-v2"), PROCFS).read().orElseThrow();
    assertEquals(OptionalDouble.of(123456.789012), s.cpuUsageSeconds());
    assertEquals(OptionalDouble.of(100000.0), s.cpuUserSeconds());
    assertEquals(OptionalLong.of(3221225472L + 4294967296L), s.memoryUsageBytes(), "anon + file");
    assertEquals(
        OptionalLong.of(3221225472L + 4294967296L - 2147483648L),
        s.memoryWorkingSetBytes(),
        "usage − inactive_file");
    assertEquals(OptionalLong.of(3221225472L), s.memoryRssBytes());
    assertEquals(OptionalLong.of(4294967296L), s.memoryCacheBytes());
    assertEquals(OptionalLong.of(536870912L), s.memoryMappedFileBytes());
    assertEquals(
        OptionalLong.of((2097148L - 1048572L) * 1024), s.memorySwapBytes(), "SwapTotal − SwapFree");
    assertEquals(OptionalLong.empty(), s.memoryMaxUsageBytes());
    assertEquals(
        OptionalLong.of(3), s.pidsCurrent(), "cgroup.procs lines, as libcontainer counts them");
    // A real kernel's root io.stat: devices without I/O ("11:0 ") and "(unknown) " queues are
    // skipped, not the file.
    assertEquals(List.of(new DeviceIo(254, 0, 221733888, 46772224, 6313, 2064)), s.io());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v2RootWithoutMeminfoHasNoSwapButMemory(@TempDir Path emptyProcfs) {
    CgroupStats s = root(CgroupFixtures.tree("root-v2"), emptyProcfs).read().orElseThrow();
    assertEquals(OptionalLong.of(5368709120L), s.memoryWorkingSetBytes());
    assertEquals(OptionalLong.empty(), s.memorySwapBytes());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v2RootWithoutMemoryStatHasNoMemory(@TempDir Path tree) throws IOException {
    Files.writeString(tree.resolve("cgroup.controllers"), "cpu memory\n");
    Files.writeString(tree.resolve("cpu.stat"), "usage_usec 2000000\nuser_usec 1\nsystem_usec 1\n");
    CgroupStats s = root(tree, PROCFS).read().orElseThrow();
    assertEquals(OptionalDouble.of(2.0), s.cpuUsageSeconds());
    assertEquals(OptionalLong.empty(), s.memoryUsageBytes());
    assertEquals(OptionalLong.empty(), s.memoryWorkingSetBytes());
    assertEquals(
        OptionalLong.empty(), s.memorySwapBytes(), "meminfo only with the root's memory.stat");
  }

  @Test
  void badMeminfoIsCounted(@TempDir Path procfs) throws IOException {
    Files.writeString(
        procfs.resolve("meminfo"), "MemTotal: 1 kB\nSwapTotal: lots kB\nSwapFree: 1 kB\n");
    CgroupStats s = root(CgroupFixtures.tree("root-v2"), procfs).read().orElseThrow();
    assertEquals(OptionalLong.empty(), s.memorySwapBytes());
    assertEquals(OptionalLong.of(5368709120L), s.memoryWorkingSetBytes());
    assertEquals(Map.of("meminfo", 1L), errors.snapshot());
  }

  @Test
  void noHierarchyNoRoot(@TempDir Path empty) {
    assertEquals(Optional.empty(), root(empty, PROCFS).read());
  }
}
