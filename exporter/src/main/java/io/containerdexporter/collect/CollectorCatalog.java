package io.containerdexporter.collect;

import io.containerdexporter.cgroup.ApiStatsConverter;
import io.containerdexporter.cgroup.BlockDevices;
import io.containerdexporter.cgroup.CgroupReadFailures;
import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.cgroup.RootCgroupReader;
import io.containerdexporter.config.CollectorSwitch;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.config.FamilyFilter;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.OomKillReadings;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.proc.ProcessFiles;
import io.containerdexporter.proc.Procfs;
import io.containerdexporter.pulls.PullStats;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Every collector the exporter has, whether it runs by default, and how to build it: the one list
 * that both {@code --collector.NAME} flags and the poller are made from (node_exporter's
 * registerCollector, as a table).
 */
public final class CollectorCatalog {

  /** What a collector may need; built once per process. */
  private record Dependencies(
      ContainerdClient client,
      ExporterConfig config,
      ContainerIndex index,
      ImageSizer imageSizer,
      SnapshotUsage snapshotUsage,
      ReadErrors cgroupErrors,
      CgroupReadFailures cgroupFailures,
      PullStats pulls,
      Procfs procfs,
      OomKillReadings oomKills) {

    TaskStatsCollector taskStats() {
      ReadErrors errors = cgroupErrors;
      CgroupReader reader = CgroupReaders.detect(config.cgroupfs(), errors, cgroupFailures);
      ApiStatsConverter converter = new ApiStatsConverter(errors);
      return new TaskStatsCollector(
          index,
          reader,
          errors,
          cgroupFailures,
          new BlockDevices(config.sysfs()),
          config.statsSource(),
          new ApiStatsReader(
              client::taskMetrics,
              converter::convertAll,
              config.containerdTimeout(),
              config.poll().timeout()),
          new RootCgroupReader(config.cgroupfs(), config.procfs(), reader, errors),
          oomKills);
    }

    ProcessesCollector processes() {
      return new ProcessesCollector(
          index, CgroupReaders.detect(config.cgroupfs(), cgroupErrors, cgroupFailures), procfs);
    }
  }

  private record Entry(CollectorSwitch flag, Function<Dependencies, Collector> factory) {}

  private static final List<Entry> ENTRIES =
      List.of(
          new Entry(
              new CollectorSwitch("containers", true, "Containers per namespace."),
              d -> new ContainersCollector()),
          new Entry(
              new CollectorSwitch("tasks", true, "Tasks per namespace and status."),
              d -> new TasksCollector()),
          new Entry(
              new CollectorSwitch(
                  "container-status",
                  true,
                  "Each container's task status now (created, running, paused, stopped, none), one series per status."),
              d -> new ContainerStatusCollector(d.index())),
          new Entry(
              new CollectorSwitch(
                  "images", true, "Images per namespace and the bytes they reference."),
              d -> new ImagesCollector(d.client(), d.imageSizer())),
          new Entry(
              new CollectorSwitch(
                  "content", true, "Content store blobs and in-flight ingests (pulls)."),
              d -> new ContentCollector(d.client(), d.config().poll().contentStallAfter())),
          new Entry(
              new CollectorSwitch(
                  "snapshots", true, "Snapshots per snapshotter and kind, and their disk usage."),
              d -> new SnapshotsCollector(d.client(), d.snapshotUsage())),
          new Entry(
              new CollectorSwitch(
                  "task-stats",
                  true,
                  "CPU, memory, threads and block I/O of every task from its cgroup, with its spec limits (cAdvisor names)."),
              Dependencies::taskStats),
          new Entry(
              new CollectorSwitch(
                  "network",
                  true,
                  "Network traffic of every pod (its sandbox's network namespace) and non-CRI container, per interface, from "
                      + "/proc/PID/net/dev (cAdvisor names); host-network tasks are left out."),
              d -> new NetworkCollector(d.index(), d.procfs())),
          new Entry(
              new CollectorSwitch(
                  "processes",
                  true,
                  "Processes, open file descriptors and sockets of every task, and its init process's open-files "
                      + "ulimit, from cgroup.procs and /proc/PID (cAdvisor names)."),
              Dependencies::processes),
          new Entry(
              new CollectorSwitch(
                  "writable-layer",
                  true,
                  "Disk used by every task's writable layer and the capacity under it; the node's block-device filesystems."),
              d ->
                  new WritableLayerCollector(
                      d.index(),
                      d.snapshotUsage(),
                      WritableLayerCollector::nodeFilesystemsFromOshi)),
          new Entry(
              new CollectorSwitch(
                  "containerd-process",
                  true,
                  "containerd's own process (CPU, memory, fds, threads) and its shims per namespace and runtime, leaked "
                      + "ones too, from --path.procfs (needs the host's pid namespace)."),
              d ->
                  new ProcessCollector(
                      d.client()::serverPid,
                      new ProcessFiles(
                          d.config().procfs(),
                          new ReadErrors("procfs", ProcessCollector.READ_ERRORS.name())),
                      d.client().socket())),
          new Entry(
              new CollectorSwitch(
                  "image-info",
                  false,
                  "One series per image with its digest and size (one series per image name: mind the cardinality)."),
              d -> new ImageInfoCollector(d.client(), d.imageSizer())),
          new Entry(
              new CollectorSwitch(
                  "containerd-metrics",
                  true,
                  "containerd's own node-level CRI pull counters, from --containerd.metrics-url (runs only when that is "
                      + "set)."),
              // null: nothing to read without the URL, so no collector (and no self-metrics) at
              // all.
              d ->
                  d.config()
                      .pulls()
                      .containerdMetricsUrl()
                      .map(
                          url ->
                              (Collector)
                                  new ContainerdMetricsCollector(
                                      url, d.config().containerdTimeout(), d.pulls()))
                      .orElse(null)));

  /**
   * The pull-log sources: they follow a stream rather than run per poll (a failed pull is counted
   * within a second), so {@code PullSources} starts them; here they only get their switches.
   */
  public static final CollectorSwitch PULLS_LOG =
      new CollectorSwitch(
          "pulls-log",
          true,
          "Failed and successful image pulls from containerd's log file (runs only when --pulls.log-file is set).");

  public static final CollectorSwitch PULLS_JOURNAL =
      new CollectorSwitch(
          "pulls-journal",
          true,
          "Failed and successful image pulls from containerd's journal (runs only when --pulls.journal-unit is "
              + "set).");

  private CollectorCatalog() {}

  public static List<CollectorSwitch> switches() {
    return java.util.stream.Stream.concat(
            ENTRIES.stream().map(Entry::flag), java.util.stream.Stream.of(PULLS_LOG, PULLS_JOURNAL))
        .toList();
  }

  /**
   * The counter of unusable cgroup files, shared by task stats and the event path's OOM-kill reads.
   */
  public static ReadErrors cgroupReadErrors() {
    return new ReadErrors("cgroup", TaskStatsCollector.READ_ERRORS.name());
  }

  /**
   * The counter of task cgroup reads given up (unreadable, vanished), shared like {@link
   * #cgroupReadErrors()}.
   */
  public static CgroupReadFailures cgroupReadFailures() {
    return new CgroupReadFailures(TaskStatsCollector.READ_FAILURES.name());
  }

  /** The enabled collectors, in catalog order. */
  public static List<Collector> build(
      ContainerdClient client, ExporterConfig config, ContainerIndex index) {
    return build(
        client,
        config,
        index,
        cgroupReadErrors(),
        cgroupReadFailures(),
        new PullStats(1),
        new OomKillReadings());
  }

  /**
   * @param cgroupErrors where task stats count unusable cgroup files (see {@link
   *     #cgroupReadErrors()})
   * @param cgroupFailures where the cgroup readers count reads given up (see {@link
   *     #cgroupReadFailures()})
   * @param pulls what the containerd-metrics collector feeds (containerd's count of pulls in
   *     flight)
   * @param oomKills where task stats leave each round's OOM-kill counters for the event path
   */
  public static List<Collector> build(
      ContainerdClient client,
      ExporterConfig config,
      ContainerIndex index,
      ReadErrors cgroupErrors,
      CgroupReadFailures cgroupFailures,
      PullStats pulls,
      OomKillReadings oomKills) {
    Dependencies deps =
        new Dependencies(
            client,
            config,
            index,
            new ImageSizer(client::read, HostPlatform.current()),
            new SnapshotUsage(client, config.writableLayerInterval()),
            cgroupErrors,
            cgroupFailures,
            pulls,
            // One counter of unusable procfs files for the network and processes collectors.
            new Procfs(
                config.procfs(), new ReadErrors("procfs", NetworkCollector.READ_ERRORS.name())),
            oomKills);
    Set<String> enabled = config.poll().enabledCollectors();
    FamilyFilter families = config.metricsFilter();
    return ENTRIES.stream()
        .filter(e -> enabled.contains(e.flag().name()))
        .map(e -> e.factory().apply(deps))
        .filter(java.util.Objects::nonNull)
        .filter(c -> FamilyFilteredCollector.anyWanted(c, families))
        .<Collector>map(c -> new FamilyFilteredCollector(c, families))
        .toList();
  }
}
