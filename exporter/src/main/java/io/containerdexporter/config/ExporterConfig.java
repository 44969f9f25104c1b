package io.containerdexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.Set;

/**
 * The validated configuration of one exporter process. Everything downstream takes this record, never the raw flags.
 *
 * @param containerdAddress unix socket of containerd's gRPC API
 * @param containerdTimeout deadline of every call to containerd
 * @param listenAddress where the HTTP server listens
 * @param telemetryPath path of the metrics endpoint
 * @param logLevel minimum level logged
 * @param poll what the poller reads, and how often
 * @param eventsRetention how long series of a deleted container stay after it is gone
 * @param cgroupfs where the cgroup hierarchy is mounted (the host's /sys/fs/cgroup in a DaemonSet)
 * @param sysfs where sysfs is mounted (block device names for the {@code device} label)
 * @param procfs where the host's procfs is mounted (per-pod network counters from /proc/PID/net/dev)
 * @param statsSource where task-stats reads each task's resource usage
 * @param containerLabels container labels (keys matching in full) to add to every per-container series as
 *     {@code container_label_*}; empty for none
 */
public record ExporterConfig(
    Path containerdAddress,
    Duration containerdTimeout,
    ListenAddress listenAddress,
    String telemetryPath,
    LogLevel logLevel,
    PollSettings poll,
    Duration eventsRetention,
    Path cgroupfs,
    Path sysfs,
    Path procfs,
    StatsSource statsSource,
    Optional<Pattern> containerLabels) {

  public static final int DEFAULT_PORT = 9338;

  /** Where task-stats reads each task's resource usage ({@code --stats.source}). */
  public enum StatsSource {
    /** The cgroup files; containerd's Tasks.Metrics for tasks whose cgroup is not on this host (kata, no mount). */
    AUTO,
    /** The cgroup files only, as cAdvisor. */
    CGROUPFS,
    /** containerd's Tasks.Metrics only (one call per namespace per poll); no root ({@code id="/"}) series. */
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
      throw new IllegalArgumentException("--stats.source: '" + value + "' is not one of auto, cgroupfs, api");
    }
  }

  /**
   * @param interval time between the starts of two polls
   * @param timeout how long one collector may take in one poll
   * @param namespaces which containerd namespaces are read
   * @param contentStallAfter an ingest with no progress for longer than this counts as stalled
   * @param enabledCollectors names of the collectors that run
   */
  public record PollSettings(
      Duration interval,
      Duration timeout,
      NamespaceFilter namespaces,
      Duration contentStallAfter,
      Set<String> enabledCollectors) {

    public PollSettings {
      requirePositive(interval, "--poll.interval");
      requirePositive(timeout, "--poll.timeout");
      requirePositive(contentStallAfter, "--content.stall-after");
      if (timeout.compareTo(interval) > 0) {
        throw new IllegalArgumentException("--poll.timeout (" + PrometheusDuration.format(timeout)
            + ") must not be longer than --poll.interval (" + PrometheusDuration.format(interval) + ")");
      }
      Objects.requireNonNull(namespaces, "namespaces");
      enabledCollectors = Set.copyOf(enabledCollectors);
    }

    /** How long a failing collector's last values are served before its families are dropped: 3 rounds. */
    public Duration maxStaleness() {
      return interval.multipliedBy(3);
    }
  }

  /** How often a container's writable-layer usage is asked of containerd (cAdvisor's fs housekeeping: 1m). */
  public Duration writableLayerInterval() {
    return Duration.ofMinutes(1);
  }

  public ExporterConfig {
    Objects.requireNonNull(containerdAddress, "containerdAddress");
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(poll, "poll");
    requirePositive(containerdTimeout, "--containerd.timeout");
    requirePositive(eventsRetention, "--events.retention");
    Objects.requireNonNull(cgroupfs, "cgroupfs");
    Objects.requireNonNull(sysfs, "sysfs");
    Objects.requireNonNull(procfs, "procfs");
    Objects.requireNonNull(statsSource, "statsSource");
    Objects.requireNonNull(containerLabels, "containerLabels");
    if (!telemetryPath.startsWith("/") || telemetryPath.length() < 2 || telemetryPath.startsWith("/-/")) {
      throw new IllegalArgumentException(
          "--web.telemetry-path '" + telemetryPath + "' must start with / and not be / or under /-/");
    }
  }

  private static void requirePositive(Duration d, String flag) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(flag + " must be positive");
    }
  }
}
