package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broken files in otherwise real trees (copies of the fixtures): the broken value is empty, the
 * error is counted under the file's base name, the rest of the stats are still there, and nothing
 * throws.
 */
class CgroupReaderMalformedTest {

  @TempDir Path tmp;

  private final ReadErrors errors = CgroupFixtures.readErrors();
  private final CgroupReadFailures failures = CgroupFixtures.readFailures();

  private Path v1() throws IOException {
    return CgroupFixtures.copy("v1", tmp.resolve("v1"));
  }

  private Path v2() throws IOException {
    return CgroupFixtures.copy("v2-systemd", tmp.resolve("v2"));
  }

  private static Path v2Scope(Path root) {
    return root.resolve(CgroupFixtures.V2_SCOPE.substring(1));
  }

  private static void write(Path file, String text) throws IOException {
    Files.writeString(file, text, java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "4885",
        "4885x992\n",
        "-48852992\n",
        "99999999999999999999\n",
        "max\n",
        "1\n2\n"
      })
  void v1UsageBrokenEmptiesUsageAndWorkingSetOnly(String text) throws IOException {
    Path root = v1();
    write(root.resolve("memory/default/c1/memory.usage_in_bytes"), text);

    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();

    assertEquals(OptionalLong.empty(), stats.memoryUsageBytes());
    assertEquals(OptionalLong.empty(), stats.memoryWorkingSetBytes());
    assertEquals(OptionalLong.of(26095616), stats.memoryRssBytes(), "the rest is still read");
    assertEquals(OptionalDouble.of(5273891204L / 1e9), stats.cpuUsageSeconds());
    assertEquals(Map.of("memory.usage_in_bytes", 1L), errors.snapshot());
  }

  @Test
  void v1MemoryStatCutShortKeepsTheKeysBeforeTheCut() throws IOException {
    Path root = v1();
    Path stat = root.resolve("memory/default/c1/memory.stat");
    String full = Files.readString(stat);
    // cut inside "total_inactive_file 13631488"
    write(
        stat,
        full.substring(
            0, full.indexOf("total_inactive_file") + "total_inactive_file 136".length()));

    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();

    assertEquals(OptionalLong.of(26095616), stats.memoryRssBytes());
    assertEquals(OptionalLong.of(21626880), stats.memoryCacheBytes());
    assertEquals(
        OptionalLong.empty(), stats.memoryWorkingSetBytes(), "136 is not the inactive file size");
    assertEquals(OptionalLong.of(48852992), stats.memoryUsageBytes());
    assertEquals(Map.of("memory.stat", 1L), errors.snapshot());
  }

  @Test
  void v1DuplicatedAndNegativeKeysAreUnknownNotGuessed() throws IOException {
    Path root = v1();
    Path stat = root.resolve("memory/default/c1/memory.stat");
    write(
        stat,
        Files.readString(stat)
            .replace("total_rss 26095616\n", "total_rss 26095616\ntotal_rss 1\n")
            .replace("total_cache 21626880", "total_cache -21626880"));

    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();

    assertEquals(OptionalLong.empty(), stats.memoryRssBytes(), "not the plain 'rss' either");
    assertEquals(OptionalLong.empty(), stats.memoryCacheBytes());
    assertEquals(OptionalLong.of(8650752), stats.memoryMappedFileBytes());
    assertEquals(OptionalLong.of(48852992 - 13631488), stats.memoryWorkingSetBytes());
    assertEquals(Map.of("memory.stat", 1L), errors.snapshot());
  }

  @Test
  void v1OldKernelWithoutTotalKeysFallsBackToPlainOnes() throws IOException {
    Path root = v1();
    Path stat = root.resolve("memory/default/c1/memory.stat");
    write(stat, "cache 100\nrss 200\nmapped_file 30\nswap 4\ninactive_file 50\n");
    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertEquals(OptionalLong.of(200), stats.memoryRssBytes());
    assertEquals(OptionalLong.of(100), stats.memoryCacheBytes());
    assertEquals(OptionalLong.of(30), stats.memoryMappedFileBytes());
    assertEquals(OptionalLong.of(4), stats.memorySwapBytes());
    assertEquals(OptionalLong.of(48852992 - 50), stats.memoryWorkingSetBytes());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v1UseHierarchyOffReadsThePlainKeysLikeCadvisor() throws IOException {
    Path root = v1();
    Path dir = root.resolve("memory/default/c1");
    write(dir.resolve("memory.use_hierarchy"), "0\n");
    write(
        dir.resolve("memory.stat"),
        "cache 1\nrss 2\nmapped_file 3\nswap 4\ninactive_file 5\n"
            + "total_cache 10\ntotal_rss 20\ntotal_mapped_file 30\ntotal_swap 40\ntotal_inactive_file 50\n");
    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertEquals(OptionalLong.of(2), stats.memoryRssBytes());
    assertEquals(OptionalLong.of(1), stats.memoryCacheBytes());
    assertEquals(OptionalLong.of(3), stats.memoryMappedFileBytes());
    assertEquals(OptionalLong.of(4), stats.memorySwapBytes());
    // cAdvisor subtracts total_inactive_file whatever use_hierarchy says
    assertEquals(OptionalLong.of(48852992 - 50), stats.memoryWorkingSetBytes());
  }

  @Test
  void workingSetIsFlooredAtZeroAndIsUsageWithoutInactiveFile() throws IOException {
    Path root = v1();
    Path dir = root.resolve("memory/default/c1");
    write(dir.resolve("memory.stat"), "total_rss 1\ntotal_inactive_file 99999999999\n");
    assertEquals(
        OptionalLong.of(0),
        new CgroupV1Reader(root, errors, failures)
            .read(CgroupFixtures.V1_C1)
            .stats()
            .orElseThrow()
            .memoryWorkingSetBytes());
    write(dir.resolve("memory.stat"), "total_rss 1\n");
    assertEquals(
        OptionalLong.of(48852992),
        new CgroupV1Reader(root, errors, failures)
            .read(CgroupFixtures.V1_C1)
            .stats()
            .orElseThrow()
            .memoryWorkingSetBytes());
    Files.delete(dir.resolve("memory.stat"));
    assertEquals(
        OptionalLong.empty(),
        new CgroupV1Reader(root, errors, failures)
            .read(CgroupFixtures.V1_C1)
            .stats()
            .orElseThrow()
            .memoryWorkingSetBytes());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v1BrokenBlkioTableMeansNoIoAndOneError() throws IOException {
    Path root = v1();
    write(
        root.resolve("blkio/default/c1/blkio.throttle.io_service_bytes_recursive"),
        "8:0 Read 12\n8:0 Wr");
    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertEquals(List.of(), stats.io());
    assertEquals(Map.of("blkio.throttle.io_service_bytes_recursive", 1L), errors.snapshot());
  }

  @Test
  void v1BlkioFamiliesInLibcontainerOrder() throws IOException {
    Path root = v1();
    Path dir = root.resolve("blkio/default/c1");
    // A device under BFQ: libcontainer takes the bfq tables first.
    write(dir.resolve("blkio.bfq.io_serviced_recursive"), "8:16 Read 1\n8:16 Write 2\nTotal 3\n");
    write(
        dir.resolve("blkio.bfq.io_service_bytes_recursive"),
        "8:16 Read 4096\n8:16 Write 8192\nTotal 12288\n");
    assertEquals(
        List.of(new DeviceIo(8, 16, 4096, 8192, 1, 2)),
        new CgroupV1Reader(root, errors, failures)
            .read(CgroupFixtures.V1_C1)
            .stats()
            .orElseThrow()
            .io());
    // No recursive throttle tables (old kernel): the plain ones.
    for (String f :
        List.of(
            "blkio.bfq.io_serviced_recursive",
            "blkio.bfq.io_service_bytes_recursive",
            "blkio.throttle.io_serviced_recursive",
            "blkio.throttle.io_service_bytes_recursive")) {
      Files.delete(dir.resolve(f));
    }
    assertEquals(
        List.of(new DeviceIo(8, 0, 1, 1, 1, 1)),
        new CgroupV1Reader(root, errors, failures)
            .read(CgroupFixtures.V1_C1)
            .stats()
            .orElseThrow()
            .io());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v1PidsMaxAndCpuacct() throws IOException {
    Path root = v1();
    write(root.resolve("pids/default/c1/pids.max"), "max max\n");
    write(root.resolve("cpu,cpuacct/default/c1/cpuacct.stat"), "user 412\nsystem\n");
    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertEquals(OptionalLong.empty(), stats.pidsMax());
    assertEquals(OptionalLong.of(7), stats.pidsCurrent());
    assertEquals(OptionalDouble.of(4.12), stats.cpuUserSeconds());
    assertEquals(OptionalDouble.empty(), stats.cpuSystemSeconds());
    assertEquals(Map.of("pids.max", 1L, "cpuacct.stat", 1L), errors.snapshot());
  }

  @Test
  void v1ControllerNotMountedIsEmptyNotAnError() throws IOException {
    Path root = v1();
    deleteTree(root.resolve("pids"));
    deleteTree(root.resolve("blkio"));
    CgroupStats stats =
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertEquals(OptionalLong.empty(), stats.pidsCurrent());
    assertEquals(List.of(), stats.io());
    assertEquals(OptionalLong.of(48852992), stats.memoryUsageBytes());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v2MalformedFilesAreCountedPerFile() throws IOException {
    Path root = v2();
    Path dir = v2Scope(root);
    write(dir.resolve("memory.current"), "max\n");
    write(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 27\noom 2\noom_kill 2\noom_kill 3\n");
    write(dir.resolve("io.stat"), "8:0 rbytes=1 wbytes=");
    write(dir.resolve("cpu.pressure"), "");
    write(dir.resolve("cpu.stat"), "usage_usec 184213558\nuser_usec 99999999999999999999\n");
    write(dir.resolve("pids.max"), "-1\n");

    CgroupStats stats =
        new CgroupV2Reader(root, errors, failures)
            .read(CgroupFixtures.V2_SCOPE)
            .stats()
            .orElseThrow();

    assertEquals(OptionalLong.empty(), stats.memoryUsageBytes());
    assertEquals(OptionalLong.empty(), stats.memoryWorkingSetBytes());
    assertEquals(OptionalLong.of(27), stats.memoryFailcnt());
    assertEquals(OptionalLong.empty(), stats.oomKills());
    assertEquals(List.of(), stats.io());
    assertEquals(Optional.empty(), stats.cpuPressure());
    assertTrue(stats.memoryPressure().isPresent());
    assertEquals(OptionalDouble.of(184.213558), stats.cpuUsageSeconds());
    assertEquals(OptionalDouble.empty(), stats.cpuUserSeconds());
    assertEquals(
        OptionalLong.empty(),
        stats.cfsPeriods(),
        "absent from the file: empty, and no extra error");
    assertEquals(OptionalLong.empty(), stats.pidsMax());
    assertEquals(OptionalLong.of(23), stats.pidsCurrent());
    assertEquals(
        Map.of(
            "memory.current",
            1L,
            "memory.events",
            1L,
            "io.stat",
            1L,
            "cpu.pressure",
            1L,
            "cpu.stat",
            1L,
            "pids.max",
            1L),
        errors.snapshot());
  }

  @Test
  void v2ControllersNotEnabledAreEmptyNotErrors() throws IOException {
    Path root = v2();
    Path dir = v2Scope(root);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        if (name.startsWith("memory.")
            || name.startsWith("pids.")
            || name.startsWith("io.")
            || name.endsWith(".pressure")) {
          Files.delete(f);
        }
      }
    }
    // what a v2 cgroup without the cpu controller has in cpu.stat
    write(dir.resolve("cpu.stat"), "usage_usec 10\nuser_usec 6\nsystem_usec 4\n");

    CgroupStats stats =
        new CgroupV2Reader(root, errors, failures)
            .read(CgroupFixtures.V2_SCOPE)
            .stats()
            .orElseThrow();

    assertEquals(OptionalDouble.of(10 / 1e6), stats.cpuUsageSeconds());
    assertEquals(OptionalLong.empty(), stats.cfsPeriods());
    assertEquals(OptionalLong.empty(), stats.memoryUsageBytes());
    assertEquals(OptionalLong.empty(), stats.memoryWorkingSetBytes());
    assertEquals(OptionalLong.empty(), stats.memoryMaxUsageBytes());
    assertEquals(Optional.empty(), stats.ioPressure());
    // no pids controller: libcontainer counts cgroup.procs and reports no limit
    assertEquals(OptionalLong.of(3), stats.pidsCurrent());
    assertEquals(OptionalLong.of(0), stats.pidsMax());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void aCgroupThatVanishedBeforeTheReadIsAbsentNotAFailure() throws IOException {
    Path root = v2();
    CgroupReader reader = new CgroupV2Reader(root, errors, failures);
    deleteTree(v2Scope(root));
    assertEquals(CgroupRead.ABSENT, reader.read(CgroupFixtures.V2_SCOPE));
    assertEquals(Map.of(), errors.snapshot());
    assertEquals(0, failures.snapshot().values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void aCgroupMissingFromSomeControllersBeforeTheReadIsReadFromTheOthers() throws IOException {
    // v1: a controller without the task's cgroup when the read begins is skipped, as a controller
    // that is not mounted is (CgroupReadFailureTest has the cgroup going away during the read).
    Path root = v1();
    CgroupReader reader = new CgroupV1Reader(root, errors, failures);
    deleteTree(root.resolve("memory/default/c1"));
    deleteTree(root.resolve("pids/default/c1"));
    deleteTree(root.resolve("blkio/default/c1"));
    CgroupStats stats = reader.read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertEquals(OptionalDouble.of(5273891204L / 1e9), stats.cpuUsageSeconds());
    assertEquals(OptionalLong.empty(), stats.memoryUsageBytes());
    assertEquals(List.of(), stats.io());
    assertEquals(Map.of(), errors.snapshot());
    assertEquals(0, failures.snapshot().values().stream().mapToLong(Long::longValue).sum());
  }

  @Test
  void anAbsurdlyLargeFileIsNotReadWhole() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("x"));
    write(dir.resolve("memory.stat"), "a 1\n".repeat(CgroupDir.MAX_FILE_BYTES / 4 + 1));
    assertEquals(
        Optional.empty(),
        CgroupDir.open(dir, errors, CgroupDir.Opener.FILES).orElseThrow().flat("memory.stat"));
    assertEquals(Map.of("memory.stat", 1L), errors.snapshot());
  }

  @Test
  void binaryJunkIsMalformedNotAnException() throws IOException {
    Path root = v2();
    Path dir = v2Scope(root);
    byte[] junk = new byte[512];
    new java.util.Random(7).nextBytes(junk);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.write(f, junk);
      }
    }
    CgroupStats stats =
        new CgroupV2Reader(root, errors, failures)
            .read(CgroupFixtures.V2_SCOPE)
            .stats()
            .orElseThrow();
    assertEquals(OptionalLong.empty(), stats.memoryUsageBytes());
    assertTrue(
        errors.count("memory.stat") == 1 && errors.count("io.stat") == 1,
        errors.snapshot().toString());
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
