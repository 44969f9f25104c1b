package io.containerdexporter.collect;

import io.containerdexporter.cgroup.CgroupStats;
import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.metrics.FamilySpec;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * cAdvisor's per-container families that come straight from one {@link CgroupStats} value: a table
 * of (family, value) generators, kube-state-metrics style. Names, units and meaning are cAdvisor's,
 * so dashboard 13105 and the kubernetes-mixin queries work unchanged.
 */
final class ContainerStatsTable {

  /** One family and how to get its value from the stats; an empty value leaves the series out. */
  record StatFamily(FamilySpec spec, Function<CgroupStats, OptionalDouble> value) {}

  static final List<String> LABELS = ContainerIdentity.LABEL_NAMES;

  static final List<StatFamily> STATS =
      List.of(
          counter(
              "container_cpu_usage_seconds_total",
              Unit.SECONDS,
              "Cumulative CPU time consumed (v1 cpuacct.usage, v2 cpu.stat usage_usec).",
              CgroupStats::cpuUsageSeconds),
          counter(
              "container_cpu_user_seconds_total",
              Unit.SECONDS,
              "Cumulative user CPU time consumed (v1 cpuacct.stat user, v2 cpu.stat user_usec).",
              CgroupStats::cpuUserSeconds),
          counter(
              "container_cpu_system_seconds_total",
              Unit.SECONDS,
              "Cumulative system CPU time consumed (v1 cpuacct.stat system, v2 cpu.stat system_usec).",
              CgroupStats::cpuSystemSeconds),
          counter(
              "container_cpu_cfs_periods_total",
              null,
              "Number of elapsed enforcement period intervals (cpu.stat " + "nr_periods).",
              s -> asDouble(s.cfsPeriods())),
          counter(
              "container_cpu_cfs_throttled_periods_total",
              null,
              "Number of throttled period intervals (cpu.stat " + "nr_throttled).",
              s -> asDouble(s.cfsThrottledPeriods())),
          counter(
              "container_cpu_cfs_throttled_seconds_total",
              Unit.SECONDS,
              "Total time duration the container has been throttled (v1 cpu.stat throttled_time, v2 throttled_usec).",
              CgroupStats::cfsThrottledSeconds),
          gauge(
              "container_memory_usage_bytes",
              Unit.BYTES,
              "Current memory usage, including all memory regardless of when it was accessed (v1 memory.usage_in_bytes, "
                  + "v2 memory.current).",
              s -> asDouble(s.memoryUsageBytes())),
          gauge(
              "container_memory_working_set_bytes",
              Unit.BYTES,
              "Current working set: usage minus inactive file pages, floored at 0 (what kubelet's eviction looks at).",
              s -> asDouble(s.memoryWorkingSetBytes())),
          gauge(
              "container_memory_rss",
              null,
              "Size of RSS in bytes (v1 total_rss, v2 anon).",
              s -> asDouble(s.memoryRssBytes())),
          gauge(
              "container_memory_cache",
              null,
              "Number of bytes of page cache memory (v1 total_cache, v2 file).",
              s -> asDouble(s.memoryCacheBytes())),
          gauge(
              "container_memory_swap",
              null,
              "Container swap usage in bytes (v1 memory.stat total_swap, v2 "
                  + "memory.swap.current).",
              s -> asDouble(s.memorySwapBytes())),
          gauge(
              "container_memory_mapped_file",
              null,
              "Size of memory mapped files in bytes (v1 total_mapped_file, v2 " + "file_mapped).",
              s -> asDouble(s.memoryMappedFileBytes())),
          gauge(
              "container_memory_failcnt",
              null,
              "Number of memory usage hits limits (v1 memory.failcnt, v2 "
                  + "memory.events max). A gauge here: cAdvisor's name has no _total.",
              s -> asDouble(s.memoryFailcnt())),
          gauge(
              "container_memory_max_usage_bytes",
              Unit.BYTES,
              "Maximum memory usage recorded (v1 "
                  + "memory.max_usage_in_bytes, v2 memory.peak where the kernel has it).",
              s -> asDouble(s.memoryMaxUsageBytes())),
          gauge(
              "container_memory_kernel_usage",
              null,
              "Size of kernel memory allocated in bytes (v1 memory.kmem.usage_in_bytes, v2 memory.stat kernel).",
              s -> asDouble(s.memoryDetail().kernelBytes())),
          gauge(
              "container_memory_total_active_file_bytes",
              Unit.BYTES,
              "File-backed memory on the active LRU list (v1 memory.stat total_active_file, v2 active_file).",
              s -> asDouble(s.memoryDetail().activeFileBytes())),
          gauge(
              "container_memory_total_inactive_file_bytes",
              Unit.BYTES,
              "File-backed memory on the inactive LRU list (v1 memory.stat total_inactive_file, v2 inactive_file).",
              s -> asDouble(s.memoryDetail().inactiveFileBytes())),
          counter(
              "container_memory_events_high_total",
              null,
              "Times the cgroup was throttled and reclaimed for going over memory.high (cgroup v2 memory.events high).",
              s -> asDouble(s.memoryDetail().eventsHigh())),
          counter(
              "container_memory_events_max_total",
              null,
              "Times the cgroup's usage was about to go over memory.max (cgroup v2 memory.events max).",
              s -> asDouble(s.memoryDetail().eventsMax())),
          gauge(
              "container_threads",
              null,
              "Number of threads running inside the container (pids.current).",
              s -> asDouble(s.pidsCurrent())),
          gauge(
              "container_threads_max",
              null,
              "Maximum number of threads allowed inside the container (pids.max), 0 if "
                  + "unlimited.",
              s -> asDouble(s.pidsMax())));

  static final List<String> DEVICE_LABELS = with("device");

  static final FamilySpec FS_READ_BYTES =
      spec(
          "container_fs_reads_bytes_total",
          MetricType.COUNTER,
          Unit.BYTES,
          "Cumulative count of bytes read (v1 blkio io_service_bytes Read, v2 io.stat rbytes).",
          DEVICE_LABELS);
  static final FamilySpec FS_WRITE_BYTES =
      spec(
          "container_fs_writes_bytes_total",
          MetricType.COUNTER,
          Unit.BYTES,
          "Cumulative count of bytes written (v1 blkio io_service_bytes Write, v2 io.stat wbytes).",
          DEVICE_LABELS);
  static final FamilySpec FS_READS =
      spec(
          "container_fs_reads_total",
          MetricType.COUNTER,
          null,
          "Cumulative count of reads completed (v1 blkio io_serviced Read, v2 io.stat rios).",
          DEVICE_LABELS);
  static final FamilySpec FS_WRITES =
      spec(
          "container_fs_writes_total",
          MetricType.COUNTER,
          null,
          "Cumulative count of writes completed (v1 blkio io_serviced Write, v2 io.stat wios).",
          DEVICE_LABELS);

  static final FamilySpec MEMORY_FAILURES =
      spec(
          "container_memory_failures_total",
          MetricType.COUNTER,
          null,
          "Cumulative count of memory allocation failures: page faults (failure_type pgfault, pgmajfault) of the "
              + "cgroup itself (scope container; v1 memory.stat pgfault) or with its descendants (scope hierarchy; v1 "
              + "total_pgfault, v2 pgfault for both).",
          Stream.concat(LABELS.stream(), Stream.of("failure_type", "scope")).toList());

  static final List<String> PAGESIZE_LABELS = with("pagesize");

  static final FamilySpec HUGETLB_USAGE =
      spec(
          "container_hugetlb_usage_bytes",
          MetricType.GAUGE,
          Unit.BYTES,
          "Huge pages in use, per page size (v1 hugetlb.SIZE.usage_in_bytes, v2 hugetlb.SIZE.current).",
          PAGESIZE_LABELS);
  static final FamilySpec HUGETLB_MAX_USAGE =
      spec(
          "container_hugetlb_max_usage_bytes",
          MetricType.GAUGE,
          Unit.BYTES,
          "Peak of huge pages in use, per page size (v1 hugetlb.SIZE.max_usage_in_bytes; v2 keeps none).",
          PAGESIZE_LABELS);
  static final FamilySpec HUGETLB_FAILCNT =
      spec(
          "container_hugetlb_failcnt",
          MetricType.GAUGE,
          null,
          "Huge page allocations refused at the limit, per page size (v1 hugetlb.SIZE.failcnt, v2 hugetlb.SIZE.events "
              + "max). A gauge here: cAdvisor's name has no _total.",
          PAGESIZE_LABELS);

  static final FamilySpec BLKIO_DEVICE_USAGE =
      spec(
          "container_blkio_device_usage_total",
          MetricType.COUNTER,
          null,
          "Bytes transferred to or from a block device, by operation Read or Write (v1 blkio io_service_bytes, v2 "
              + "io.stat rbytes/wbytes).",
          Stream.concat(LABELS.stream(), Stream.of("device", "major", "minor", "operation"))
              .toList());

  /**
   * cAdvisor's PSI families (cgroup v2 only): "waiting" is the "some" line, "stalled" the "full"
   * line.
   */
  static final FamilySpec CPU_WAITING = pressure("cpu", "waiting", "some");

  static final FamilySpec CPU_STALLED = pressure("cpu", "stalled", "full");
  static final FamilySpec MEMORY_WAITING = pressure("memory", "waiting", "some");
  static final FamilySpec MEMORY_STALLED = pressure("memory", "stalled", "full");
  static final FamilySpec IO_WAITING = pressure("io", "waiting", "some");
  static final FamilySpec IO_STALLED = pressure("io", "stalled", "full");

  private ContainerStatsTable() {}

  private static StatFamily counter(
      String name, Unit unit, String help, Function<CgroupStats, OptionalDouble> v) {
    return new StatFamily(spec(name, MetricType.COUNTER, unit, help, LABELS), v);
  }

  private static StatFamily gauge(
      String name, Unit unit, String help, Function<CgroupStats, OptionalDouble> v) {
    return new StatFamily(spec(name, MetricType.GAUGE, unit, help, LABELS), v);
  }

  private static FamilySpec spec(
      String name, MetricType type, Unit unit, String help, List<String> labels) {
    return new FamilySpec(name, type, help, unit, labels);
  }

  private static FamilySpec pressure(String resource, String what, String line) {
    return spec(
        "container_pressure_" + resource + "_" + what + "_seconds_total",
        MetricType.COUNTER,
        Unit.SECONDS,
        "Total time duration "
            + (line.equals("some")
                ? "tasks in the container have been waiting for "
                : "all tasks in the container have been stalled on ")
            + resource
            + " (cgroup v2 "
            + resource
            + ".pressure, '"
            + line
            + "' total).",
        LABELS);
  }

  static List<String> with(String extra) {
    return Stream.concat(LABELS.stream(), Stream.of(extra)).toList();
  }

  static OptionalDouble asDouble(OptionalLong v) {
    return v.isPresent() ? OptionalDouble.of(v.getAsLong()) : OptionalDouble.empty();
  }
}
