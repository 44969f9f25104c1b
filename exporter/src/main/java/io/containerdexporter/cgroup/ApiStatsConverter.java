package io.containerdexporter.cgroup;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.containerdexporter.cgroup.CgroupParsers.BlkioEntry;
import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import io.containerdexporter.containerd.TypeUrls;
import io.containerdexporter.containerd.api.cgroups.v1.BlkIOEntry;
import io.containerdexporter.containerd.api.cgroups.v2.IOEntry;
import io.containerdexporter.containerd.api.cgroups.v2.PSIStats;
import io.containerdexporter.metrics.ReadErrors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Turns the payloads of containerd's Tasks.Metrics ({@code io.containerd.cgroups.v1.Metrics} and
 * {@code io.containerd.cgroups.v2.Metrics}, which the shim fills from the very cgroup files the
 * readers read, through containerd/cgroups) into {@link CgroupStats} with the readers' semantics:
 *
 * <ul>
 *   <li>v1: cpu.usage total/user/kernel (ns), cpu.throttling
 *       periods/throttled_periods/throttled_time (ns); memory usage.usage, working set =
 *       usage.usage − total_inactive_file (floored at 0), total_rss, total_cache,
 *       total_mapped_file, failcnt = usage.failcnt, max usage = usage.max;
 *       memory_oom_control.oom_kill; pids current/limit (containerd already reports "max" as 0);
 *       blkio io_service_bytes_recursive and io_serviced_recursive, Read and Write per major:minor.
 *       Swap stays empty: the payload has no total_swap, only memsw (memory + swap, the difference
 *       the {@link CgroupStats} semantics refuse);
 *   <li>v2: cpu usage_usec/user_usec/system_usec/nr_periods/nr_throttled/throttled_usec; memory
 *       usage (memory.current), working set = usage − inactive_file (floored at 0), anon, file,
 *       file_mapped, swap_usage (memory.swap.current), max_usage (memory.peak) when non-zero (0 is
 *       what an older kernel or containerd without it sends); memory_events max (failcnt) and
 *       oom_kill; pids current/limit (containerd reads "max" as 2^64−1: 0 here); io.usage
 *       rbytes/wbytes/rios/wios; cpu, memory and io PSI totals when present.
 * </ul>
 *
 * A part of the payload containerd did not fill (a controller not enabled) leaves its values empty.
 * proto3 has no presence for numbers, so inside a filled part a 0 is reported as 0. A uint64 beyond
 * a signed long is left out, as the file parsers leave it out.
 *
 * <p>An unknown type URL or a payload that does not parse yields empty and is counted in {@link
 * ReadErrors} under the file label {@value #ERROR_LABEL} (logged once). Never throws. Thread-safe.
 */
public final class ApiStatsConverter {

  /**
   * The bounded {@code file} label of containerd_exporter_cgroup_read_errors_total for unusable
   * payloads.
   */
  public static final String ERROR_LABEL = "Tasks.Metrics";

  static final String V1_TYPE =
      io.containerdexporter.containerd.api.cgroups.v1.Metrics.getDescriptor().getFullName();
  static final String V2_TYPE =
      io.containerdexporter.containerd.api.cgroups.v2.Metrics.getDescriptor().getFullName();

  private static final Comparator<DeviceIo> DEVICE_ORDER =
      Comparator.comparingLong(DeviceIo::major).thenComparingLong(DeviceIo::minor);

  private final ReadErrors errors;

  public ApiStatsConverter(ReadErrors errors) {
    this.errors = errors;
  }

  /**
   * Every usable payload of one Tasks.Metrics answer, by container id; the unusable ones left out
   * (and counted).
   */
  public Map<String, CgroupStats> convertAll(Map<String, Any> byContainer) {
    Map<String, CgroupStats> out = new LinkedHashMap<>();
    byContainer.forEach((id, data) -> convert(id, data).ifPresent(s -> out.put(id, s)));
    return out;
  }

  /**
   * One task's payload.
   *
   * @param containerId for the log line only
   */
  public Optional<CgroupStats> convert(String containerId, Any data) {
    String type = data == null ? "" : TypeUrls.typeName(data);
    try {
      if (type.equals(V2_TYPE)) {
        return Optional.of(
            fromV2(
                io.containerdexporter.containerd.api.cgroups.v2.Metrics.parseFrom(
                    data.getValue())));
      }
      if (type.equals(V1_TYPE)) {
        return Optional.of(
            fromV1(
                io.containerdexporter.containerd.api.cgroups.v1.Metrics.parseFrom(
                    data.getValue())));
      }
      errors.record(
          ERROR_LABEL,
          Path.of(ERROR_LABEL),
          "task "
              + containerId
              + ": unknown type URL "
              + (data == null ? "''" : CgroupParsers.abbreviate(data.getTypeUrl())));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      errors.record(
          ERROR_LABEL,
          Path.of(ERROR_LABEL),
          "task " + containerId + ": unparsable " + type + " (" + e.getMessage() + ")");
    }
    return Optional.empty();
  }

  static CgroupStats fromV1(io.containerdexporter.containerd.api.cgroups.v1.Metrics m) {
    CgroupStatsBuilder b = new CgroupStatsBuilder();
    if (m.hasCpu()) {
      var cpu = m.getCpu();
      if (cpu.hasUsage()) {
        b.cpuUsageSeconds = seconds(cpu.getUsage().getTotal(), 1e9);
        b.cpuUserSeconds = seconds(cpu.getUsage().getUser(), 1e9);
        b.cpuSystemSeconds = seconds(cpu.getUsage().getKernel(), 1e9);
      }
      if (cpu.hasThrottling()) {
        b.cfsPeriods = unsigned(cpu.getThrottling().getPeriods());
        b.cfsThrottledPeriods = unsigned(cpu.getThrottling().getThrottledPeriods());
        b.cfsThrottledSeconds = seconds(cpu.getThrottling().getThrottledTime(), 1e9);
      }
    }
    if (m.hasMemory()) {
      var memory = m.getMemory();
      if (memory.hasUsage()) {
        b.memoryUsageBytes = unsigned(memory.getUsage().getUsage());
        b.memoryMaxUsageBytes = unsigned(memory.getUsage().getMax());
        b.memoryFailcnt = unsigned(memory.getUsage().getFailcnt());
        b.memoryWorkingSetBytes = workingSet(b.memoryUsageBytes, memory.getTotalInactiveFile());
      }
      b.memoryRssBytes = unsigned(memory.getTotalRss());
      b.memoryCacheBytes = unsigned(memory.getTotalCache());
      b.memoryMappedFileBytes = unsigned(memory.getTotalMappedFile());
    }
    if (m.hasMemoryOomControl()) {
      b.oomKills = unsigned(m.getMemoryOomControl().getOomKill());
    }
    if (m.hasPids()) {
      b.pidsCurrent = unsigned(m.getPids().getCurrent());
      b.pidsMax = limit(m.getPids().getLimit());
    }
    if (m.hasBlkio()) {
      b.io =
          CgroupParsers.combineBlkio(
              blkio(m.getBlkio().getIoServiceBytesRecursiveList()),
              blkio(m.getBlkio().getIoServicedRecursiveList()));
    }
    return b.build();
  }

  static CgroupStats fromV2(io.containerdexporter.containerd.api.cgroups.v2.Metrics m) {
    CgroupStatsBuilder b = new CgroupStatsBuilder();
    if (m.hasCpu()) {
      var cpu = m.getCpu();
      b.cpuUsageSeconds = seconds(cpu.getUsageUsec(), 1e6);
      b.cpuUserSeconds = seconds(cpu.getUserUsec(), 1e6);
      b.cpuSystemSeconds = seconds(cpu.getSystemUsec(), 1e6);
      b.cfsPeriods = unsigned(cpu.getNrPeriods());
      b.cfsThrottledPeriods = unsigned(cpu.getNrThrottled());
      b.cfsThrottledSeconds = seconds(cpu.getThrottledUsec(), 1e6);
      b.cpuPressure = cpu.hasPsi() ? pressure(cpu.getPsi()) : Optional.empty();
    }
    if (m.hasMemory()) {
      var memory = m.getMemory();
      b.memoryUsageBytes = unsigned(memory.getUsage());
      b.memoryWorkingSetBytes = workingSet(b.memoryUsageBytes, memory.getInactiveFile());
      b.memoryRssBytes = unsigned(memory.getAnon());
      b.memoryCacheBytes = unsigned(memory.getFile());
      b.memoryMappedFileBytes = unsigned(memory.getFileMapped());
      b.memorySwapBytes = unsigned(memory.getSwapUsage());
      b.memoryMaxUsageBytes =
          memory.getMaxUsage() == 0 ? OptionalLong.empty() : unsigned(memory.getMaxUsage());
      b.memoryPressure = memory.hasPsi() ? pressure(memory.getPsi()) : Optional.empty();
    }
    if (m.hasMemoryEvents()) {
      b.memoryFailcnt = unsigned(m.getMemoryEvents().getMax());
      b.oomKills = unsigned(m.getMemoryEvents().getOomKill());
    }
    if (m.hasPids()) {
      b.pidsCurrent = unsigned(m.getPids().getCurrent());
      b.pidsMax = limit(m.getPids().getLimit());
    }
    if (m.hasIo()) {
      List<DeviceIo> devices = new ArrayList<>();
      for (IOEntry e : m.getIo().getUsageList()) {
        if (e.getMajor() < 0
            || e.getMinor() < 0
            || e.getRbytes() < 0
            || e.getWbytes() < 0
            || e.getRios() < 0
            || e.getWios() < 0) {
          continue; // beyond a signed long: not a number we can show
        }
        devices.add(
            new DeviceIo(
                e.getMajor(),
                e.getMinor(),
                e.getRbytes(),
                e.getWbytes(),
                e.getRios(),
                e.getWios()));
      }
      devices.sort(DEVICE_ORDER);
      b.io = devices;
      b.ioPressure = m.getIo().hasPsi() ? pressure(m.getIo().getPsi()) : Optional.empty();
    }
    return b.build();
  }

  private static List<BlkioEntry> blkio(List<BlkIOEntry> entries) {
    List<BlkioEntry> out = new ArrayList<>();
    for (BlkIOEntry e : entries) {
      if (e.getMajor() >= 0 && e.getMinor() >= 0 && e.getValue() >= 0) {
        out.add(new BlkioEntry(e.getMajor(), e.getMinor(), e.getOp(), e.getValue()));
      }
    }
    return out;
  }

  /** PSI totals (µs) in seconds; empty without a "some" line, full empty without a "full" one. */
  private static Optional<Pressure> pressure(PSIStats psi) {
    if (!psi.hasSome() || psi.getSome().getTotal() < 0) {
      return Optional.empty();
    }
    OptionalDouble full =
        psi.hasFull() && psi.getFull().getTotal() >= 0
            ? OptionalDouble.of(psi.getFull().getTotal() / 1e6)
            : OptionalDouble.empty();
    return Optional.of(new Pressure(psi.getSome().getTotal() / 1e6, full));
  }

  /**
   * A uint64 held in a Java long: empty when it does not fit a signed long (the parsers' "out of
   * range").
   */
  static OptionalLong unsigned(long value) {
    return value < 0 ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /**
   * A limit: 2^64−1 (cgroup "max" as containerd's v2 stats read it) and 0 both mean none, reported
   * as 0.
   */
  private static OptionalLong limit(long value) {
    return value < 0 ? OptionalLong.of(0) : OptionalLong.of(value);
  }

  private static OptionalDouble seconds(long value, double unitsPerSecond) {
    return value < 0 ? OptionalDouble.empty() : OptionalDouble.of(value / unitsPerSecond);
  }

  private static OptionalLong workingSet(OptionalLong usage, long inactiveFile) {
    if (usage.isEmpty() || inactiveFile < 0) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(0, usage.getAsLong() - inactiveFile));
  }
}
