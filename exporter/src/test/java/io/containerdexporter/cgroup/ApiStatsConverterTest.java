package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import io.containerdexporter.containerd.api.cgroups.v1.BlkIOEntry;
import io.containerdexporter.containerd.api.cgroups.v1.BlkIOStat;
import io.containerdexporter.containerd.api.cgroups.v1.CPUStat;
import io.containerdexporter.containerd.api.cgroups.v1.CPUUsage;
import io.containerdexporter.containerd.api.cgroups.v1.MemoryEntry;
import io.containerdexporter.containerd.api.cgroups.v1.MemoryOomControl;
import io.containerdexporter.containerd.api.cgroups.v1.MemoryStat;
import io.containerdexporter.containerd.api.cgroups.v1.Throttle;
import io.containerdexporter.containerd.api.cgroups.v2.IOEntry;
import io.containerdexporter.containerd.api.cgroups.v2.IOStat;
import io.containerdexporter.containerd.api.cgroups.v2.MemoryEvents;
import io.containerdexporter.containerd.api.cgroups.v2.PSIData;
import io.containerdexporter.containerd.api.cgroups.v2.PSIStats;
import io.containerdexporter.metrics.ReadErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * Tasks.Metrics payloads, packed the way containerd's typeurl packs them (bare type URL), → the
 * same CgroupStats the file readers give for the same numbers.
 */
class ApiStatsConverterTest {

  private final ReadErrors errors = CgroupFixtures.readErrors();
  private final ApiStatsConverter converter = new ApiStatsConverter(errors);

  /** containerd's typeurl: the full message name, no type.googleapis.com/ prefix. */
  static Any bare(Message m) {
    return Any.newBuilder()
        .setTypeUrl(m.getDescriptorForType().getFullName())
        .setValue(m.toByteString())
        .build();
  }

  /**
   * The numbers of the cgroupfs/v1 fixture's /default/c1, as containerd's cgroup1 stats would carry
   * them.
   */
  static io.containerdexporter.containerd.api.cgroups.v1.Metrics v1Payload() {
    return io.containerdexporter.containerd.api.cgroups.v1.Metrics.newBuilder()
        .setCpu(
            CPUStat.newBuilder()
                .setUsage(
                    CPUUsage.newBuilder()
                        .setTotal(5273891204L)
                        .setUser(4120000000L)
                        .setKernel(980000000L)
                        .addPerCpu(1)
                        .addPerCpu(2))
                .setThrottling(
                    Throttle.newBuilder()
                        .setPeriods(1520)
                        .setThrottledPeriods(37)
                        .setThrottledTime(2845119032L)))
        .setMemory(
            MemoryStat.newBuilder()
                .setRss(1)
                .setCache(2)
                .setMappedFile(3)
                .setInactiveFile(4) // the non-hierarchical keys: not used
                .setTotalRss(26095616)
                .setTotalCache(21626880)
                .setTotalMappedFile(8650752)
                .setTotalInactiveFile(13631488)
                .setUsage(
                    MemoryEntry.newBuilder()
                        .setUsage(48852992)
                        .setMax(61341696)
                        .setFailcnt(12)
                        .setLimit(268435456))
                .setSwap(MemoryEntry.newBuilder().setUsage(49901568))) // memsw: memory + swap
        .setMemoryOomControl(MemoryOomControl.newBuilder().setOomKill(2))
        .setPids(
            io.containerdexporter.containerd.api.cgroups.v1.PidsStat.newBuilder()
                .setCurrent(7)
                .setLimit(0))
        .setBlkio(
            BlkIOStat.newBuilder()
                .addIoServiceBytesRecursive(blkio(253, 0, "Read", 1228800))
                .addIoServiceBytesRecursive(blkio(253, 0, "Write", 4096000))
                .addIoServiceBytesRecursive(blkio(253, 0, "Sync", 5324800))
                .addIoServiceBytesRecursive(blkio(253, 0, "Total", 5324800))
                .addIoServiceBytesRecursive(blkio(8, 0, "Read", 1232896))
                .addIoServiceBytesRecursive(blkio(8, 0, "Write", 4096000))
                .addIoServicedRecursive(blkio(8, 0, "Read", 57))
                .addIoServicedRecursive(blkio(8, 0, "Write", 112))
                .addIoServicedRecursive(blkio(253, 0, "Read", 56))
                .addIoServicedRecursive(blkio(253, 0, "Write", 112))
                .addIoQueuedRecursive(blkio(8, 0, "Read", 999)))
        .build();
  }

  private static BlkIOEntry blkio(long major, long minor, String op, long value) {
    return BlkIOEntry.newBuilder()
        .setMajor(major)
        .setMinor(minor)
        .setOp(op)
        .setValue(value)
        .build();
  }

  @Test
  void v1() {
    CgroupStats expected =
        new CgroupStats(
            OptionalDouble.of(5273891204L / 1e9), // cpu.usage.total, ns
            OptionalDouble.of(
                4120000000L / 1e9), // user, ns (containerd converts the USER_HZ ticks)
            OptionalDouble.of(980000000L / 1e9), // kernel
            OptionalLong.of(1520),
            OptionalLong.of(37),
            OptionalDouble.of(2845119032L / 1e9),
            OptionalLong.of(48852992),
            OptionalLong.of(48852992 - 13631488), // usage − total_inactive_file
            OptionalLong.of(26095616),
            OptionalLong.of(21626880),
            OptionalLong
                .empty(), // no total_swap in the payload; memsw − usage is what the semantics
            // refuse
            OptionalLong.of(8650752),
            OptionalLong.of(12),
            OptionalLong.of(61341696),
            OptionalLong.of(2),
            OptionalLong.of(7),
            OptionalLong.of(0),
            List.of(
                new DeviceIo(8, 0, 1232896, 4096000, 57, 112),
                new DeviceIo(253, 0, 1228800, 4096000, 56, 112)),
            Optional.empty(),
            Optional.empty(),
            Optional.empty(),
            OptionalLong.empty(),
            CgroupStats.MemoryDetail.NONE,
            List.of()); // Tasks.Metrics has no CFS period

    assertEquals(Optional.of(expected), converter.convert("c1", bare(v1Payload())));
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v1WorkingSetFlooredAtZeroAndMissingPartsEmpty() {
    var m =
        io.containerdexporter.containerd.api.cgroups.v1.Metrics.newBuilder()
            .setMemory(
                MemoryStat.newBuilder()
                    .setTotalInactiveFile(5000)
                    .setUsage(MemoryEntry.newBuilder().setUsage(4000)))
            .build();
    CgroupStats s = converter.convert("c1", bare(m)).orElseThrow();
    assertEquals(OptionalLong.of(0), s.memoryWorkingSetBytes());
    assertEquals(OptionalLong.of(4000), s.memoryUsageBytes());
    // No cpu, pids, blkio, oom control: those values are unknown, not 0.
    assertEquals(OptionalDouble.empty(), s.cpuUsageSeconds());
    assertEquals(OptionalLong.empty(), s.cfsPeriods());
    assertEquals(OptionalLong.empty(), s.pidsCurrent());
    assertEquals(OptionalLong.empty(), s.oomKills());
    assertEquals(List.of(), s.io());
  }

  /**
   * The numbers of the cgroupfs/v2-systemd fixture's scope, as containerd's cgroup2 stats would
   * carry them.
   */
  static io.containerdexporter.containerd.api.cgroups.v2.Metrics v2Payload() {
    return io.containerdexporter.containerd.api.cgroups.v2.Metrics.newBuilder()
        .setCpu(
            io.containerdexporter.containerd.api.cgroups.v2.CPUStat.newBuilder()
                .setUsageUsec(184213558)
                .setUserUsec(151862081)
                .setSystemUsec(32351477)
                .setNrPeriods(36420)
                .setNrThrottled(1204)
                .setThrottledUsec(97811452)
                .setPsi(psi(4102399, 3011201)))
        .setMemory(
            io.containerdexporter.containerd.api.cgroups.v2.MemoryStat.newBuilder()
                .setUsage(157286400)
                .setUsageLimit(268435456)
                .setInactiveFile(31457280)
                .setAnon(98304000)
                .setFile(52428800)
                .setFileMapped(12582912)
                .setSwapUsage(2097152)
                .setMaxUsage(212860928)
                .setPsi(psi(1203, 1187)))
        .setMemoryEvents(MemoryEvents.newBuilder().setMax(27).setOom(1).setOomKill(1))
        .setPids(
            io.containerdexporter.containerd.api.cgroups.v2.PidsStat.newBuilder()
                .setCurrent(23)
                .setLimit(-1)) // containerd reads pids.max "max" as 2^64−1
        .setIo(
            IOStat.newBuilder()
                .addUsage(
                    IOEntry.newBuilder()
                        .setMajor(253)
                        .setMinor(0)
                        .setRbytes(1081344)
                        .setWbytes(20480000)
                        .setRios(41)
                        .setWios(1390))
                .addUsage(
                    IOEntry.newBuilder()
                        .setMajor(8)
                        .setMinor(0)
                        .setRbytes(1085440)
                        .setWbytes(20484096)
                        .setRios(42)
                        .setWios(1391))
                .setPsi(psi(310472, 298003)))
        .build();
  }

  static PSIStats psi(long someUsec, long fullUsec) {
    return PSIStats.newBuilder()
        .setSome(PSIData.newBuilder().setAvg10(0.5).setTotal(someUsec))
        .setFull(PSIData.newBuilder().setTotal(fullUsec))
        .build();
  }

  @Test
  void v2() {
    CgroupStats expected =
        new CgroupStats(
            OptionalDouble.of(184.213558),
            OptionalDouble.of(151.862081),
            OptionalDouble.of(32.351477),
            OptionalLong.of(36420),
            OptionalLong.of(1204),
            OptionalDouble.of(97.811452),
            OptionalLong.of(157286400),
            OptionalLong.of(157286400 - 31457280),
            OptionalLong.of(98304000),
            OptionalLong.of(52428800),
            OptionalLong.of(2097152),
            OptionalLong.of(12582912),
            OptionalLong.of(27),
            OptionalLong.of(212860928),
            OptionalLong.of(1),
            OptionalLong.of(23),
            OptionalLong.of(0), // "max"
            List.of(
                new DeviceIo(8, 0, 1085440, 20484096, 42, 1391),
                new DeviceIo(253, 0, 1081344, 20480000, 41, 1390)),
            Optional.of(new Pressure(4.102399, OptionalDouble.of(3.011201))),
            Optional.of(new Pressure(0.001203, OptionalDouble.of(0.001187))),
            Optional.of(new Pressure(0.310472, OptionalDouble.of(0.298003))),
            OptionalLong.empty(),
            CgroupStats.MemoryDetail.NONE,
            List.of()); // no cpu.max period in the payload

    assertEquals(Optional.of(expected), converter.convert("app", bare(v2Payload())));
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void v2OlderDaemonAndKernel() {
    // containerd 1.6/1.7 (no max_usage, no PSI), cpu.pressure without "full", no memory events, no
    // io.
    var m =
        io.containerdexporter.containerd.api.cgroups.v2.Metrics.newBuilder()
            .setCpu(
                io.containerdexporter.containerd.api.cgroups.v2.CPUStat.newBuilder()
                    .setUsageUsec(1000000)
                    .setPsi(PSIStats.newBuilder().setSome(PSIData.newBuilder().setTotal(2000000))))
            .setMemory(
                io.containerdexporter.containerd.api.cgroups.v2.MemoryStat.newBuilder()
                    .setUsage(100)
                    .setInactiveFile(300))
            .setPids(
                io.containerdexporter.containerd.api.cgroups.v2.PidsStat.newBuilder()
                    .setCurrent(2)
                    .setLimit(64))
            .build();
    CgroupStats s = converter.convert("old", bare(m)).orElseThrow();
    assertEquals(OptionalDouble.of(1.0), s.cpuUsageSeconds());
    assertEquals(Optional.of(new Pressure(2.0, OptionalDouble.empty())), s.cpuPressure());
    assertEquals(OptionalLong.empty(), s.memoryMaxUsageBytes(), "max_usage 0: not sent");
    assertEquals(OptionalLong.of(0), s.memoryWorkingSetBytes(), "floored at 0");
    assertEquals(Optional.empty(), s.memoryPressure());
    assertEquals(OptionalLong.empty(), s.memoryFailcnt());
    assertEquals(OptionalLong.empty(), s.oomKills());
    assertEquals(OptionalLong.of(64), s.pidsMax());
    assertEquals(List.of(), s.io());
    assertEquals(Optional.empty(), s.ioPressure());
  }

  @Test
  void hostPrefixedTypeUrlAlsoAccepted() {
    Any prefixed = Any.pack(v2Payload()); // type.googleapis.com/io.containerd.cgroups.v2.Metrics
    assertEquals(converter.convert("a", bare(v2Payload())), converter.convert("a", prefixed));
    assertEquals(Map.of(), errors.snapshot());
  }

  @Test
  void unknownTypeUrlIsCountedNotThrown() {
    Any other =
        Any.newBuilder()
            .setTypeUrl("io.containerd.cgroups.v3.Metrics")
            .setValue(v2Payload().toByteString())
            .build();
    assertEquals(Optional.empty(), converter.convert("x", other));
    assertEquals(Optional.empty(), converter.convert("y", Any.getDefaultInstance()));
    assertEquals(Map.of("Tasks.Metrics", 2L), errors.snapshot());
  }

  @Test
  void malformedPayloadIsCountedNotThrown() {
    // A length-delimited field (pids, 1) whose length runs past the end; then a varint that never
    // ends.
    for (byte[] garbage :
        List.of(new byte[] {0x0a, 0x7f, 0x08}, new byte[] {0x08, (byte) 0xff, (byte) 0xff})) {
      Any bad =
          Any.newBuilder()
              .setTypeUrl("io.containerd.cgroups.v2.Metrics")
              .setValue(ByteString.copyFrom(garbage))
              .build();
      assertEquals(Optional.empty(), converter.convert("bad", bad));
      Any badV1 = bad.toBuilder().setTypeUrl("io.containerd.cgroups.v1.Metrics").build();
      assertEquals(Optional.empty(), converter.convert("bad", badV1));
    }
    assertEquals(Map.of("Tasks.Metrics", 4L), errors.snapshot());
  }

  @Test
  void convertAllKeepsTheUsableOnes() {
    Map<String, Any> answer = new LinkedHashMap<>();
    answer.put("good", bare(v2Payload()));
    answer.put(
        "bad",
        Any.newBuilder()
            .setTypeUrl("io.containerd.cgroups.v2.Metrics")
            .setValue(ByteString.copyFrom(new byte[] {0x0a, 0x7f}))
            .build());
    answer.put("v1", bare(v1Payload()));
    Map<String, CgroupStats> out = converter.convertAll(answer);
    assertEquals(List.of("good", "v1"), List.copyOf(out.keySet()));
    assertEquals(1L, errors.count("Tasks.Metrics"));
  }

  @Test
  void valuesBeyondSignedLongAreLeftOut() {
    var m =
        io.containerdexporter.containerd.api.cgroups.v2.Metrics.newBuilder()
            .setMemory(
                io.containerdexporter.containerd.api.cgroups.v2.MemoryStat.newBuilder()
                    .setUsage(-5)
                    .setAnon(7))
            .build();
    CgroupStats s = converter.convert("big", bare(m)).orElseThrow();
    assertEquals(OptionalLong.empty(), s.memoryUsageBytes());
    assertEquals(OptionalLong.empty(), s.memoryWorkingSetBytes());
    assertEquals(OptionalLong.of(7), s.memoryRssBytes());
    assertTrue(errors.snapshot().isEmpty());
  }
}
