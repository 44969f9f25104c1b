package io.containerdexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated configuration of one exporter process. Everything downstream takes this record,
 * never the raw flags.
 *
 * @param containerdAddress unix socket of containerd's gRPC API
 * @param containerdTimeout deadline of every call to containerd
 * @param listenAddresses where the HTTP server listens (at least one)
 * @param web the web config file, the scrape limit and the health endpoints' exemption
 * @param telemetryPath path of the metrics endpoint
 * @param logLevel minimum level logged
 * @param poll what the poller reads, and how often
 * @param eventsRetention how long series of a deleted container stay after it is gone
 * @param cgroupfs where the cgroup hierarchy is mounted (the host's /sys/fs/cgroup in a DaemonSet)
 * @param sysfs where sysfs is mounted (block device names for the {@code device} label)
 * @param procfs where the host's procfs is mounted (per-pod network counters from
 *     /proc/PID/net/dev)
 * @param statsSource where task-stats reads each task's resource usage
 * @param containerLabels container labels (keys matching in full) to add to every per-container
 *     series as {@code container_label_*}; empty for none
 * @param writableLayerInterval how often each container's writable-layer usage is asked of
 *     containerd
 * @param jvmMetrics whether the exporter's own {@code jvm_*} families are exposed ({@code
 *     process_*} always are)
 * @param pulls where image pulls are read from (containerd's log, journal, metrics endpoint)
 */
public record ExporterConfig(
    Path containerdAddress,
    Duration containerdTimeout,
    List<ListenAddress> listenAddresses,
    WebSettings web,
    String telemetryPath,
    LogLevel logLevel,
    PollSettings poll,
    Duration eventsRetention,
    Path cgroupfs,
    Path sysfs,
    Path procfs,
    StatsSource statsSource,
    Optional<Pattern> containerLabels,
    Duration writableLayerInterval,
    boolean jvmMetrics,
    PullSettings pulls,
    FamilyFilter metricsFilter) {

  public static final int DEFAULT_PORT = 9338;

  /** Where task-stats reads each task's resource usage ({@code --stats.source}). */
  public enum StatsSource {
    /**
     * The cgroup files; containerd's Tasks.Metrics for tasks whose cgroup is not on this host
     * (kata, no mount).
     */
    AUTO,
    /** The cgroup files only, as cAdvisor. */
    CGROUPFS,
    /**
     * containerd's Tasks.Metrics only (one call per namespace per poll); no root ({@code id="/"})
     * series.
     */
    API;

    /** The flag's spelling ("auto", "cgroupfs", "api"). */
    public String flagValue() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static StatsSource parse(String value) {
      for (StatsSource s : values()) {
        if (s.flagValue().equals(value)) {
          return s;
        }
      }
      throw new IllegalArgumentException("not a stats source; expected auto, cgroupfs or api");
    }
  }

  /**
   * @param interval time between the starts of two polls
   * @param timeout how long one collector may take in one poll
   * @param maxStaleness how long a failed collector's last values are served before its families
   *     are dropped
   * @param namespaces which containerd namespaces are read
   * @param contentStallAfter an ingest with no progress for longer than this counts as stalled
   * @param enabledCollectors names of the collectors that run
   */
  public record PollSettings(
      Duration interval,
      Duration timeout,
      Duration maxStaleness,
      NamespaceFilter namespaces,
      Duration contentStallAfter,
      Set<String> enabledCollectors) {

    public PollSettings {
      requirePositive(interval, "--poll.interval");
      requirePositive(timeout, "--poll.timeout");
      requirePositive(maxStaleness, "--poll.max-staleness");
      requirePositive(contentStallAfter, "--content.stall-after");
      if (timeout.compareTo(interval) > 0) {
        throw new IllegalArgumentException(
            flagValue("--poll.timeout", timeout)
                + ": must not be longer than --poll.interval ("
                + PrometheusDuration.format(interval)
                + ")");
      }
      if (maxStaleness.compareTo(interval) < 0) {
        throw new IllegalArgumentException(
            flagValue("--poll.max-staleness", maxStaleness)
                + ": must not be shorter than --poll.interval ("
                + PrometheusDuration.format(interval)
                + ")");
      }
      Objects.requireNonNull(namespaces, "namespaces");
      enabledCollectors = Set.copyOf(enabledCollectors);
    }
  }

  public ExporterConfig {
    Objects.requireNonNull(containerdAddress, "containerdAddress");
    listenAddresses = List.copyOf(listenAddresses);
    if (listenAddresses.isEmpty()) {
      throw new IllegalArgumentException("--web.listen-address: at least one address is needed");
    }
    Objects.requireNonNull(web, "web");
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(poll, "poll");
    requirePositive(containerdTimeout, "--containerd.timeout");
    requirePositive(eventsRetention, "--events.retention");
    Objects.requireNonNull(cgroupfs, "cgroupfs");
    Objects.requireNonNull(sysfs, "sysfs");
    Objects.requireNonNull(procfs, "procfs");
    Objects.requireNonNull(statsSource, "statsSource");
    Objects.requireNonNull(containerLabels, "containerLabels");
    requirePositive(writableLayerInterval, "--collector.writable-layer.interval");
    Objects.requireNonNull(pulls, "pulls");
    Objects.requireNonNull(metricsFilter, "metricsFilter");
    if (!telemetryPath.startsWith("/")
        || telemetryPath.length() < 2
        || telemetryPath.startsWith("/-/")) {
      throw new IllegalArgumentException(
          "--web.telemetry-path="
              + telemetryPath
              + ": must start with / and not be / or under /-/");
    }
    if (ServedPaths.ALL.contains(telemetryPath)) {
      throw new IllegalArgumentException(
          "--web.telemetry-path="
              + telemetryPath
              + ": the exporter serves its own page there; choose another path");
    }
  }

  /** The first listen address: the one log lines and the landing page name. */
  public ListenAddress listenAddress() {
    return listenAddresses.get(0);
  }

  private static void requirePositive(Duration d, String flag) {
    Objects.requireNonNull(d, flag);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(flagValue(flag, d) + ": must be positive");
    }
  }

  /** {@code --flag=value}, the way an error line names what was wrong. */
  static String flagValue(String flag, Duration value) {
    return flag + "=" + PrometheusDuration.format(value);
  }
}
