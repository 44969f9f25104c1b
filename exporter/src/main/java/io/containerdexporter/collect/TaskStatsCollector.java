package io.containerdexporter.collect;

import static io.containerdexporter.collect.ContainerStatsTable.LABELS;

import io.containerdexporter.cgroup.BlockDevices;
import io.containerdexporter.cgroup.CgroupRead;
import io.containerdexporter.cgroup.CgroupReadFailures;
import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.cgroup.CgroupStats;
import io.containerdexporter.cgroup.RootCgroupReader;
import io.containerdexporter.config.ExporterConfig.StatsSource;
import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.OomKillReadings;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.SpecResources;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Resource usage of every live task, plus the limits its spec sets. Families and labels are
 * cAdvisor's; the label set is the one the event families carry. Where the usage comes from is
 * {@code --stats.source}:
 *
 * <ul>
 *   <li>{@code cgroupfs}: straight from the kernel's cgroup files (as cAdvisor does; no call to the
 *       shim), found through the container's OCI spec (linux.cgroupsPath);
 *   <li>{@code api}: containerd's Tasks.Metrics, one call per namespace per poll (each costs
 *       containerd one shim Stats call per task), read by {@link ApiStatsReader} so that a hung
 *       shim costs only its own task;
 *   <li>{@code auto}: the files, and for tasks whose cgroup is not on this host (VM-based runtimes
 *       such as Kata, a cgroupfs not mounted) Tasks.Metrics, called at most once per namespace per
 *       poll and only when a task needs it.
 * </ul>
 *
 * In the cgroupfs and auto modes the root cgroup is read too, once per poll, as cAdvisor's {@code
 * id="/"} series.
 */
public final class TaskStatsCollector implements Collector {

  static final FamilySpec SPEC_CPU_QUOTA =
      gauge(
          "container_spec_cpu_quota",
          null,
          "CPU quota of the container, in microseconds per period (spec linux.resources.cpu.quota); absent if unlimited.");
  static final FamilySpec SPEC_CPU_PERIOD =
      gauge(
          "container_spec_cpu_period",
          null,
          "CPU period of the container, in microseconds (spec linux.resources.cpu.period, else the cgroup's cpu.max or "
              + "cpu.cfs_period_us).");
  static final FamilySpec SPEC_CPU_SHARES =
      gauge(
          "container_spec_cpu_shares",
          null,
          "CPU share of the container (spec linux.resources.cpu.shares).");
  static final FamilySpec SPEC_MEMORY_LIMIT =
      gauge(
          "container_spec_memory_limit_bytes",
          Unit.BYTES,
          "Memory limit of the container (spec linux.resources.memory.limit); 0 if unlimited.");
  static final FamilySpec SPEC_SWAP_LIMIT =
      gauge(
          "container_spec_memory_swap_limit_bytes",
          Unit.BYTES,
          "Memory plus swap limit of the container (spec linux.resources.memory.swap); 0 if unlimited.");
  static final FamilySpec SPEC_MEMORY_RESERVATION =
      gauge(
          "container_spec_memory_reservation_limit_bytes",
          Unit.BYTES,
          "Memory reservation (soft limit) of the container (v1 memory.soft_limit_in_bytes, v2 memory.low); 0 if "
              + "unlimited.");
  static final FamilySpec START_TIME =
      gauge(
          "container_start_time_seconds",
          Unit.SECONDS,
          "Start time of the container since unix epoch (its creation time in containerd).");
  static final FamilySpec LAST_SEEN =
      gauge(
          "container_last_seen",
          null,
          "Last time the container was seen by the exporter, in seconds since unix epoch.");
  static final FamilySpec READ_ERRORS =
      FamilySpec.counter(
          "containerd_exporter_cgroup_read_errors_total",
          "Cgroup files that could not be parsed (empty, truncated, not a number…), by file name (\"Tasks.Metrics\" for "
              + "an unusable Tasks.Metrics payload, \"meminfo\" for the root's swap on cgroup v2); the value is skipped "
              + "and the file logged once.",
          "file");
  static final FamilySpec READ_FAILURES =
      FamilySpec.counter(
          "containerd_exporter_cgroup_read_failures_total",
          "Reads of a task's cgroup given up, leaving all of that task's cgroup values out of the round: its cgroup "
              + "went away during the read (vanished), or a file of it could not be read (denied, io). Each task "
              + "logged once.",
          "reason");

  private final ContainerIndex index;
  private final CgroupReader reader;
  private final ReadErrors errors;
  private final CgroupReadFailures failures;
  private final BlockDevices devices;
  private final StatsSource source;
  private final ApiStatsReader api;
  private final OomKillReadings oomKills;
  private final RootCgroupReader root;

  TaskStatsCollector(
      ContainerIndex index,
      CgroupReader reader,
      ReadErrors errors,
      CgroupReadFailures failures,
      BlockDevices devices,
      StatsSource source,
      ApiStatsReader api,
      RootCgroupReader root,
      OomKillReadings oomKills) {
    this.index = index;
    this.reader = reader;
    this.errors = errors;
    this.failures = failures;
    this.devices = devices;
    this.source = source;
    this.api = api;
    this.root = root;
    this.oomKills = oomKills;
  }

  @Override
  public String name() {
    return "task-stats";
  }

  @Override
  public List<FamilySpec> families() {
    List<FamilySpec> all = new ArrayList<>();
    ContainerStatsTable.STATS.forEach(s -> all.add(s.spec()));
    all.addAll(
        List.of(
            ContainerStatsTable.FS_READ_BYTES,
            ContainerStatsTable.FS_WRITE_BYTES,
            ContainerStatsTable.FS_READS,
            ContainerStatsTable.FS_WRITES,
            ContainerStatsTable.BLKIO_DEVICE_USAGE,
            ContainerStatsTable.MEMORY_FAILURES,
            ContainerStatsTable.HUGETLB_USAGE,
            ContainerStatsTable.HUGETLB_MAX_USAGE,
            ContainerStatsTable.HUGETLB_FAILCNT,
            ContainerStatsTable.CPU_WAITING,
            ContainerStatsTable.CPU_STALLED,
            ContainerStatsTable.MEMORY_WAITING,
            ContainerStatsTable.MEMORY_STALLED,
            ContainerStatsTable.IO_WAITING,
            ContainerStatsTable.IO_STALLED,
            SPEC_CPU_QUOTA,
            SPEC_CPU_PERIOD,
            SPEC_CPU_SHARES,
            SPEC_MEMORY_LIMIT,
            SPEC_SWAP_LIMIT,
            SPEC_MEMORY_RESERVATION,
            START_TIME,
            LAST_SEEN,
            READ_ERRORS,
            READ_FAILURES,
            ApiStatsReader.TIMEOUTS));
    return all;
  }

  @Override
  public List<Family> collect(PollScope scope) throws InterruptedException {
    long started = System.nanoTime();
    Map<FamilySpec, FamilyBuilder> out = new LinkedHashMap<>();
    families().forEach(f -> out.put(f, f.builder()));
    StatColumns columns = StatColumns.of(scope, out);
    if (source != StatsSource.API) {
      root.read().ifPresent(stats -> addStats(out, columns, stats, ContainerIdentity.ROOT));
    }
    Map<String, Map<String, CgroupStats>> fromApi =
        new HashMap<>(); // Tasks.Metrics per namespace, once needed
    Map<ContainerIndex.Key, Long> kills = new HashMap<>();
    for (RoundView.LiveTask live : scope.view().liveTasks()) {
      ContainerInfo container = live.container();
      ContainerIdentity identity = index.identity(container);
      CgroupRead read =
          source == StatsSource.API
              ? CgroupRead.ABSENT
              : reader.read(identity.cgroupPath()); // CgroupPaths.fromSpec, done once per container
      Optional<CgroupStats> stats = read.stats();
      if (stats.isPresent()) {
        OptionalLong k = stats.get().oomKills();
        if (k.isPresent()) {
          kills.put(new ContainerIndex.Key(container.namespace(), container.id()), k.getAsLong());
        }
      }
      // Only a task with no cgroup here is asked of Tasks.Metrics: one whose cgroup could not be
      // read is left out for the round (counted), as the cgroupfs source leaves it out.
      if (read.absent() && source != StatsSource.CGROUPFS) {
        String ns = container.namespace();
        if (!fromApi.containsKey(ns)) {
          fromApi.put(ns, api.read(ns, scope.view().byNamespace().get(ns), started));
        }
        stats = Optional.ofNullable(fromApi.get(ns).get(container.id()));
      }
      if (stats.isEmpty()) {
        continue; // its cgroup is gone (the task just exited) or unreadable, or not on this host
        // and not in Tasks.Metrics
      }
      String[] labels = identity.labelValues();
      addStats(out, columns, stats.get(), identity);
      addSpec(out, container.resources(), stats.get(), labels);
      out.get(START_TIME).add(container.createdAt().toEpochMilli() / 1000.0, labels);
      out.get(LAST_SEEN).add(scope.now().toEpochMilli() / 1000.0, labels);
    }
    errors.snapshot().forEach((file, n) -> out.get(READ_ERRORS).add(n, file));
    failures.snapshot().forEach((reason, n) -> out.get(READ_FAILURES).add(n, reason.label()));
    oomKills.publish(kills);
    out.remove(ApiStatsReader.TIMEOUTS);
    List<Family> families =
        new ArrayList<>(out.values().stream().<Family>map(FamilyBuilder::build).toList());
    families.add(
        source == StatsSource.CGROUPFS
            ? ApiStatsReader.TIMEOUTS.builder().build()
            : api.timeouts(scope.namespaces()));
    return families;
  }

  /**
   * The table's families this round's filter keeps, each with its builder: the filter (a regex) is
   * asked once a round, not once per task and family (some 40 000 times at 1000 tasks).
   */
  private record StatColumns(
      ContainerStatsTable.StatFamily[] families, FamilyBuilder[] builders, boolean deviceUsage) {

    static StatColumns of(PollScope scope, Map<FamilySpec, FamilyBuilder> out) {
      ContainerStatsTable.StatFamily[] wanted =
          ContainerStatsTable.STATS.stream()
              .filter(f -> scope.wants(f.spec()))
              .toArray(ContainerStatsTable.StatFamily[]::new);
      FamilyBuilder[] builders = new FamilyBuilder[wanted.length];
      for (int i = 0; i < wanted.length; i++) {
        builders[i] = out.get(wanted[i].spec());
      }
      return new StatColumns(wanted, builders, scope.wants(ContainerStatsTable.BLKIO_DEVICE_USAGE));
    }
  }

  private void addStats(
      Map<FamilySpec, FamilyBuilder> out,
      StatColumns columns,
      CgroupStats s,
      ContainerIdentity identity) {
    String[] labels = identity.labelValues();
    ContainerStatsTable.StatFamily[] wanted = columns.families();
    for (int i = 0; i < wanted.length; i++) {
      FamilyBuilder builder = columns.builders()[i];
      wanted[i].value().apply(s).ifPresent(v -> builder.add(v, labels));
    }
    boolean deviceUsage = columns.deviceUsage();
    for (CgroupStats.DeviceIo io : s.io()) {
      String device = devices.name(io.major(), io.minor());
      String[] withDevice = identity.labelValuesWith(device);
      out.get(ContainerStatsTable.FS_READ_BYTES).add(io.readBytes(), withDevice);
      out.get(ContainerStatsTable.FS_WRITE_BYTES).add(io.writeBytes(), withDevice);
      out.get(ContainerStatsTable.FS_READS).add(io.reads(), withDevice);
      out.get(ContainerStatsTable.FS_WRITES).add(io.writes(), withDevice);
      if (deviceUsage) {
        blkioDeviceUsage(out.get(ContainerStatsTable.BLKIO_DEVICE_USAGE), identity, device, io);
      }
    }
    memoryFailures(out.get(ContainerStatsTable.MEMORY_FAILURES), s.memoryDetail(), identity);
    for (CgroupStats.Hugetlb pages : s.hugetlb()) {
      String[] withSize = identity.labelValuesWith(pages.pageSize());
      out.get(ContainerStatsTable.HUGETLB_USAGE).add(pages.usageBytes(), withSize);
      pages
          .maxUsageBytes()
          .ifPresent(max -> out.get(ContainerStatsTable.HUGETLB_MAX_USAGE).add(max, withSize));
      out.get(ContainerStatsTable.HUGETLB_FAILCNT).add(pages.failcnt(), withSize);
    }
    pressure(
        out,
        s.cpuPressure(),
        ContainerStatsTable.CPU_WAITING,
        ContainerStatsTable.CPU_STALLED,
        labels);
    pressure(
        out,
        s.memoryPressure(),
        ContainerStatsTable.MEMORY_WAITING,
        ContainerStatsTable.MEMORY_STALLED,
        labels);
    pressure(
        out,
        s.ioPressure(),
        ContainerStatsTable.IO_WAITING,
        ContainerStatsTable.IO_STALLED,
        labels);
  }

  /** cAdvisor's operations on v2 (Read, Write), by bytes; v1's Sync/Async/Total are not read. */
  private static void blkioDeviceUsage(
      FamilyBuilder out, ContainerIdentity identity, String device, CgroupStats.DeviceIo io) {
    String major = Long.toString(io.major());
    String minor = Long.toString(io.minor());
    out.add(io.readBytes(), identity.labelValuesWith(device, major, minor, "Read"));
    out.add(io.writeBytes(), identity.labelValuesWith(device, major, minor, "Write"));
  }

  private static void memoryFailures(
      FamilyBuilder out, CgroupStats.MemoryDetail m, ContainerIdentity identity) {
    failure(out, m.pgfaults(), identity, "pgfault", "container");
    failure(out, m.pgmajfaults(), identity, "pgmajfault", "container");
    failure(out, m.hierarchyPgfaults(), identity, "pgfault", "hierarchy");
    failure(out, m.hierarchyPgmajfaults(), identity, "pgmajfault", "hierarchy");
  }

  private static void failure(
      FamilyBuilder out,
      OptionalLong count,
      ContainerIdentity identity,
      String failureType,
      String scope) {
    count.ifPresent(n -> out.add(n, identity.labelValuesWith(failureType, scope)));
  }

  private static void pressure(
      Map<FamilySpec, FamilyBuilder> out,
      Optional<CgroupStats.Pressure> p,
      FamilySpec waiting,
      FamilySpec stalled,
      String[] labels) {
    p.ifPresent(
        v -> {
          out.get(waiting).add(v.someSeconds(), labels);
          v.fullSeconds().ifPresent(full -> out.get(stalled).add(full, labels));
        });
  }

  /**
   * As cAdvisor: quota only when set (quota −1 means unlimited), limits 0 when unlimited. The
   * period is the spec's, else the cgroup's (the kernel has one, 100000 by default, also with no
   * quota, and cAdvisor shows it); absent when neither has one (Tasks.Metrics carries none: better
   * no series than a guessed default).
   */
  private static void addSpec(
      Map<FamilySpec, FamilyBuilder> out, SpecResources r, CgroupStats stats, String[] labels) {
    r.cpuQuota()
        .ifPresent(
            q -> {
              if (q > 0) {
                out.get(SPEC_CPU_QUOTA).add(q, labels);
              }
            });
    (r.cpuPeriod().isPresent() ? r.cpuPeriod() : stats.cpuPeriodMicros())
        .ifPresent(p -> out.get(SPEC_CPU_PERIOD).add(p, labels));
    r.cpuShares().ifPresent(s -> out.get(SPEC_CPU_SHARES).add(s, labels));
    out.get(SPEC_MEMORY_LIMIT).add(limit(r.memoryLimit()), labels);
    out.get(SPEC_SWAP_LIMIT).add(limit(r.memorySwapLimit()), labels);
    stats
        .memoryDetail()
        .reservationBytes()
        .ifPresent(b -> out.get(SPEC_MEMORY_RESERVATION).add(b, labels));
  }

  private static double limit(OptionalLong bytes) {
    return bytes.isPresent() && bytes.getAsLong() > 0 ? bytes.getAsLong() : 0;
  }

  private static FamilySpec gauge(String name, Unit unit, String help) {
    return new FamilySpec(name, MetricType.GAUGE, help, unit, LABELS);
  }
}
