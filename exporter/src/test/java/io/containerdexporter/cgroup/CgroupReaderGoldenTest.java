package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Hugetlb;
import io.containerdexporter.cgroup.CgroupStats.MemoryDetail;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import io.containerdexporter.metrics.ReadErrors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Each committed fixture tree → the exact CgroupStats, every value worked out here from the fixture
 * files.
 */
class CgroupReaderGoldenTest {

  private final ReadErrors errors = CgroupFixtures.readErrors();

  @Test
  void v1CgroupfsDriverWithCoMountedCpuCpuacct() {
    CgroupReader reader =
        CgroupReaders.detect(CgroupFixtures.tree("v1"), errors, CgroupFixtures.readFailures());
    assertInstanceOf(CgroupV1Reader.class, reader);

    long usage = 48852992;
    long totalInactiveFile = 13631488;
    CgroupStats expected =
        new CgroupStats(
            OptionalDouble.of(5273891204L / 1e9), // cpuacct.usage, ns
            OptionalDouble.of(412 / 100.0), // cpuacct.stat user, USER_HZ ticks
            OptionalDouble.of(98 / 100.0),
            OptionalLong.of(1520),
            OptionalLong.of(37),
            OptionalDouble.of(2845119032L / 1e9), // cpu.stat throttled_time, ns
            OptionalLong.of(usage),
            OptionalLong.of(usage - totalInactiveFile), // working set
            OptionalLong.of(26095616), // total_rss
            OptionalLong.of(21626880), // total_cache
            OptionalLong.of(1048576), // total_swap (= memsw.usage 49901568 − usage 48852992 here)
            OptionalLong.of(8650752), // total_mapped_file
            OptionalLong.of(12), // memory.failcnt
            OptionalLong.of(61341696), // memory.max_usage_in_bytes
            OptionalLong.of(1), // memory.oom_control oom_kill
            OptionalLong.of(7),
            OptionalLong.of(0), // pids.max "max"
            // throttle *_recursive tables (bfq ones hold only "Total 0"), Read/Write ops, sorted by
            // device
            List.of(
                new DeviceIo(8, 0, 1232896, 4096000, 57, 112),
                new DeviceIo(253, 0, 1228800, 4096000, 56, 112)),
            Optional.empty(), // no PSI on v1
            Optional.empty(),
            Optional.empty(),
            OptionalLong.of(100000),
            new MemoryDetail(
                OptionalLong.of(2719744), // memory.kmem.usage_in_bytes
                OptionalLong.of(7995392), // total_active_file
                OptionalLong.of(13631488), // total_inactive_file
                OptionalLong.of(25313), // pgfault (container scope)
                OptionalLong.of(71),
                OptionalLong.of(25313), // total_pgfault (hierarchy scope)
                OptionalLong.of(71),
                OptionalLong.empty(), // memory.events is v2 only
                OptionalLong.empty(),
                OptionalLong.of(134217728)), // memory.soft_limit_in_bytes
            // hugetlb.*: sizes sorted by name, each with its peak and failcnt
            List.of(
                new Hugetlb("1GB", 0, OptionalLong.of(0), 0),
                new Hugetlb("2MB", 4194304, OptionalLong.of(6291456), 3))); // cpu.cfs_period_us

    assertEquals(Optional.of(expected), reader.read(CgroupFixtures.V1_C1).stats());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void hybridIsReadAsV1WithSeparateCpuAndCpuacctMounts() {
    CgroupReader reader =
        CgroupReaders.detect(CgroupFixtures.tree("hybrid"), errors, CgroupFixtures.readFailures());
    assertFalse(
        reader.unified(), "cgroup2 at unified/ holds no controllers: the host is v1 for us");

    long usage = 13750272;
    CgroupStats expected =
        new CgroupStats(
            OptionalDouble.of(731052288L / 1e9),
            OptionalDouble.of(61 / 100.0),
            OptionalDouble.of(9 / 100.0),
            OptionalLong.of(0),
            OptionalLong.of(0),
            OptionalDouble.of(0),
            OptionalLong.of(usage),
            OptionalLong.of(usage - 2433024),
            OptionalLong.of(9318400),
            OptionalLong.of(3244032),
            OptionalLong
                .empty(), // no swap accounting: no memsw files, no swap keys — empty, and not an
            // error
            OptionalLong.of(2703360),
            OptionalLong.of(0),
            OptionalLong.of(14680064),
            OptionalLong.of(0),
            OptionalLong.of(3),
            OptionalLong.of(1024),
            List.of(), // every blkio table is "Total 0"
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            OptionalLong.of(100000),
            new MemoryDetail(
                OptionalLong.empty(), // no memory.kmem.usage_in_bytes in this tree
                OptionalLong.of(811008),
                OptionalLong.of(2433024),
                OptionalLong.of(8923),
                OptionalLong.of(4),
                OptionalLong.of(8923),
                OptionalLong.of(4),
                OptionalLong.empty(),
                OptionalLong.empty(),
                OptionalLong.empty()), // no memory.soft_limit_in_bytes in this tree
            List.of()); // cpu.cfs_period_us, with quota -1 (none)

    assertEquals(
        Optional.of(expected), // no hugetlb controller mounted
        reader.read(CgroupFixtures.HYBRID_SCOPE).stats());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v2SystemdDriver() {
    CgroupReader reader =
        CgroupReaders.detect(
            CgroupFixtures.tree("v2-systemd"), errors, CgroupFixtures.readFailures());
    assertTrue(reader.unified());

    long usage = 157286400;
    long inactiveFile = 31457280;
    CgroupStats expected =
        new CgroupStats(
            OptionalDouble.of(184213558 / 1e6), // cpu.stat usage_usec
            OptionalDouble.of(151862081 / 1e6),
            OptionalDouble.of(32351477 / 1e6),
            OptionalLong.of(36420),
            OptionalLong.of(1204),
            OptionalDouble.of(97811452 / 1e6), // throttled_usec
            OptionalLong.of(usage), // memory.current
            OptionalLong.of(usage - inactiveFile), // working set = 125829120
            OptionalLong.of(98304000), // anon
            OptionalLong.of(52428800), // file
            OptionalLong.of(2097152), // memory.swap.current
            OptionalLong.of(12582912), // file_mapped
            OptionalLong.of(27), // memory.events max
            OptionalLong.of(212860928), // memory.peak
            OptionalLong.of(2), // memory.events oom_kill
            OptionalLong.of(23),
            OptionalLong.of(0), // pids.max "max"
            List.of(
                new DeviceIo(8, 0, 1085440, 20484096, 42, 1391),
                new DeviceIo(253, 0, 1081344, 20480000, 41, 1390)),
            Optional.of(new Pressure(4102399 / 1e6, OptionalDouble.of(3011201 / 1e6))),
            Optional.of(new Pressure(1203 / 1e6, OptionalDouble.of(1187 / 1e6))),
            Optional.of(new Pressure(310472 / 1e6, OptionalDouble.of(298003 / 1e6))),
            OptionalLong.of(100000),
            new MemoryDetail(
                OptionalLong.of(3534848), // memory.stat kernel
                OptionalLong.of(20971520), // active_file
                OptionalLong.of(inactiveFile),
                OptionalLong.of(
                    1530261), // pgfault: v2 has only the hierarchical count, for both scopes
                OptionalLong.of(402),
                OptionalLong.of(1530261),
                OptionalLong.of(402),
                OptionalLong.of(0), // memory.events high
                OptionalLong.of(27), // memory.events max
                OptionalLong.of(67108864)), // memory.low
            // hugetlb.2MB.current and events max; hugetlb.2MB.rsvd.* is not a size; no peak on
            // v2
            List.of(
                new Hugetlb("2MB", 2097152, OptionalLong.empty(), 1))); // cpu.max "200000 100000"

    assertEquals(Optional.of(expected), reader.read(CgroupFixtures.V2_SCOPE).stats());
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void aCgroupThatDoesNotExistIsEmpty() {
    for (String tree : List.of("v1", "hybrid", "v2-systemd")) {
      CgroupReader reader =
          CgroupReaders.detect(CgroupFixtures.tree(tree), errors, CgroupFixtures.readFailures());
      assertEquals(CgroupRead.ABSENT, reader.read("/default/gone"), tree);
      assertEquals(CgroupRead.ABSENT, reader.read(""), tree);
    }
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void pathsThatLeaveTheRootAreRefused() {
    CgroupReader reader =
        CgroupReaders.detect(
            CgroupFixtures.tree("v2-systemd"), errors, CgroupFixtures.readFailures());
    assertEquals(CgroupRead.ABSENT, reader.read("/../v2-systemd" + CgroupFixtures.V2_SCOPE));
    assertEquals(CgroupRead.ABSENT, reader.read("/kubepods.slice/./x"));
    assertEquals(CgroupRead.ABSENT, reader.read("/a\0b"));
    // Leading slashes are just the root.
    assertTrue(reader.read("//" + CgroupFixtures.V2_SCOPE.substring(1)).stats().isPresent());
  }

  @Test
  void theRootCgroupOfV2HasWhatTheKernelGivesIt() {
    CgroupStats root =
        CgroupReaders.detect(
                CgroupFixtures.tree("v2-systemd"), errors, CgroupFixtures.readFailures())
            .read("/")
            .stats()
            .orElseThrow();
    assertEquals(
        Optional.of(new Pressure(88213344 / 1e6, OptionalDouble.of(0))), root.cpuPressure());
    assertEquals(OptionalLong.empty(), root.memoryUsageBytes());
    assertEquals(OptionalLong.empty(), root.cpuPeriodMicros(), "no cpu.max at the root");
    assertEquals(Map.of(), errors.snapshot());
  }
}
