package io.containerdexporter.cgroup;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * One task's resource usage, in base units, whichever way it was read (cgroup v1 files, cgroup v2
 * files, or containerd's Tasks.Metrics). A value the source does not have (a controller not
 * enabled, a file that was malformed) is empty, and its series is left out rather than reported as
 * 0.
 *
 * <p>Semantics follow cAdvisor, so dashboards built on it read the same: working set = usage −
 * inactive file pages (floored at 0); rss = v1 total_rss / v2 anon; cache = v1 total_cache / v2
 * file; swap = v1 memory.stat total_swap (as cAdvisor; memsw.usage − usage, read from two files at
 * two moments, can go negative) / v2 memory.swap.current; mapped file = v1 total_mapped_file / v2
 * file_mapped; failcnt = v1 memory.failcnt / v2 memory.events "max" (cAdvisor reports 0 there
 * because libcontainer leaves it unset; the kernel's count is more useful); threads max = pids.max,
 * with "max" (no limit) as 0; cpu period = the CFS bandwidth period in microseconds (v1
 * cpu.cfs_period_us, v2 cpu.max's second field), the kernel's setting whether or not a quota is
 * set, as cAdvisor reads it (containerd's Tasks.Metrics has none).
 */
public record CgroupStats(
    OptionalDouble cpuUsageSeconds,
    OptionalDouble cpuUserSeconds,
    OptionalDouble cpuSystemSeconds,
    OptionalLong cfsPeriods,
    OptionalLong cfsThrottledPeriods,
    OptionalDouble cfsThrottledSeconds,
    OptionalLong memoryUsageBytes,
    OptionalLong memoryWorkingSetBytes,
    OptionalLong memoryRssBytes,
    OptionalLong memoryCacheBytes,
    OptionalLong memorySwapBytes,
    OptionalLong memoryMappedFileBytes,
    OptionalLong memoryFailcnt,
    OptionalLong memoryMaxUsageBytes,
    OptionalLong oomKills,
    OptionalLong pidsCurrent,
    OptionalLong pidsMax,
    List<DeviceIo> io,
    Optional<Pressure> cpuPressure,
    Optional<Pressure> memoryPressure,
    Optional<Pressure> ioPressure,
    OptionalLong cpuPeriodMicros,
    MemoryDetail memoryDetail,
    List<Hugetlb> hugetlb) {

  public CgroupStats {
    io = List.copyOf(io);
    hugetlb = List.copyOf(hugetlb);
  }

  /**
   * cAdvisor's finer memory families. Page faults: {@code container} scope is the cgroup's own
   * count, {@code hierarchy} the count with its descendants (v1 pgfault / total_pgfault; v2 has one
   * hierarchical count, so both scopes read it, as cAdvisor does). Kernel: v1
   * memory.kmem.usage_in_bytes, v2 memory.stat kernel (kernel 5.18+). Active/inactive file: v1
   * total_(in)active_file, v2 (in)active_file. Events high/max: v2 memory.events only. Reservation:
   * v1 memory.soft_limit_in_bytes, v2 memory.low; 0 when unlimited, as for the other limits.
   */
  public record MemoryDetail(
      OptionalLong kernelBytes,
      OptionalLong activeFileBytes,
      OptionalLong inactiveFileBytes,
      OptionalLong pgfaults,
      OptionalLong pgmajfaults,
      OptionalLong hierarchyPgfaults,
      OptionalLong hierarchyPgmajfaults,
      OptionalLong eventsHigh,
      OptionalLong eventsMax,
      OptionalLong reservationBytes) {

    public static final MemoryDetail NONE =
        new MemoryDetail(
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty(),
            OptionalLong.empty());
  }

  /**
   * One huge page size's usage (v1 hugetlb.SIZE.usage_in_bytes, max_usage_in_bytes, failcnt; v2
   * hugetlb.SIZE.current and memory.events-like hugetlb.SIZE.events max; v2 keeps no peak, so
   * {@code maxUsageBytes} is empty there).
   *
   * @param pageSize the kernel's name of the size, as in the file names ({@code 2MB}, {@code 1GB})
   */
  public record Hugetlb(
      String pageSize, long usageBytes, OptionalLong maxUsageBytes, long failcnt) {}

  /**
   * Block I/O of one device.
   *
   * @param major major device number
   * @param minor minor device number
   */
  public record DeviceIo(
      long major, long minor, long readBytes, long writeBytes, long reads, long writes) {}

  /**
   * Pressure stall information (cgroup v2 {@code *.pressure}): total time some, or all (full),
   * tasks were stalled. {@code full} is empty where the kernel has none (cpu on older kernels).
   */
  public record Pressure(double someSeconds, OptionalDouble fullSeconds) {}
}
