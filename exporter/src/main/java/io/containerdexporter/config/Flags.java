package io.containerdexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * The command line, in the Prometheus exporters' style ({@code --area.name=value}). Values are converted and checked
 * here; {@link #toConfig(Set)} builds the record the rest of the program uses.
 */
@Command(
    name = "containerd-exporter",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.VersionProvider.class,
    sortOptions = false,
    usageHelpWidth = 110,
    description = "Prometheus exporter for containerd: events, inventory and cgroup statistics of every task.")
public final class Flags {

  @Option(
      names = "--containerd.address",
      paramLabel = "PATH",
      description = "Unix socket of containerd's gRPC API. Default: ${DEFAULT-VALUE}.")
  Path containerdAddress = Path.of("/run/containerd/containerd.sock");

  @Option(
      names = "--containerd.timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Deadline of every call to containerd. Default: 5s.")
  Duration containerdTimeout = Duration.ofSeconds(5);

  @Option(
      names = "--web.listen-address",
      paramLabel = "[HOST]:PORT",
      converter = ListenAddressConverter.class,
      description = "Address to listen on for the web interface and telemetry. Default: :" + ExporterConfig.DEFAULT_PORT
          + ".")
  ListenAddress listenAddress = new ListenAddress("", ExporterConfig.DEFAULT_PORT);

  @Option(
      names = "--web.telemetry-path",
      paramLabel = "PATH",
      description = "Path under which to expose metrics. Default: ${DEFAULT-VALUE}.")
  String telemetryPath = "/metrics";

  @Option(
      names = "--log.level",
      paramLabel = "LEVEL",
      converter = LogLevelConverter.class,
      description = "Only log messages with the given severity or above: debug, info, warn, error. Default: info.")
  LogLevel logLevel = LogLevel.INFO;

  @Option(
      names = "--containerd.namespaces.include",
      paramLabel = "REGEX",
      description = "Only watch containerd namespaces this regex matches in full. Default: all.")
  String namespacesInclude = ".*";

  @Option(
      names = "--containerd.namespaces.exclude",
      paramLabel = "REGEX",
      description = "Do not watch containerd namespaces this regex matches in full. Default: none.")
  String namespacesExclude = "";

  @Option(
      names = "--poll.interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How often the poller reads containerd and the cgroups. Default: 15s.")
  Duration pollInterval = Duration.ofSeconds(15);

  @Option(
      names = "--poll.timeout",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long one collector may take in one poll; one that takes longer keeps its last values. "
          + "Default: 10s.")
  Duration pollTimeout = Duration.ofSeconds(10);

  @Option(
      names = "--content.stall-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "An ingest (a blob being written, e.g. pulled) with no progress for this long counts as stalled. "
          + "Default: 2m.")
  Duration contentStallAfter = Duration.ofMinutes(2);

  @Option(
      names = "--events.retention",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "How long the per-container event series (OOMs, exits, starts) of a deleted container stay, so "
          + "Prometheus sees their last increment. Default: 15m.")
  Duration eventsRetention = Duration.ofMinutes(15);

  @Option(
      names = "--path.cgroupfs",
      paramLabel = "PATH",
      description = "Where the cgroup hierarchy is mounted; in a container, mount the host's. Default: ${DEFAULT-VALUE}.")
  Path cgroupfs = Path.of("/sys/fs/cgroup");

  @Option(
      names = "--path.sysfs",
      paramLabel = "PATH",
      description = "Where sysfs is mounted (block device names). Default: ${DEFAULT-VALUE}.")
  Path sysfs = Path.of("/sys");

  @Option(
      names = "--path.procfs",
      paramLabel = "PATH",
      description = "Where the host's procfs is mounted (network counters of every pod, read from its pid's net/dev). "
          + "Default: ${DEFAULT-VALUE}.")
  Path procfs = Path.of("/proc");

  @Option(
      names = "--stats.source",
      paramLabel = "SOURCE",
      converter = StatsSourceConverter.class,
      description = "Where task-stats reads each task's CPU, memory, threads and I/O: cgroupfs (the cgroup files "
          + "under --path.cgroupfs, as cAdvisor), api (containerd's Tasks.Metrics, one call per namespace per poll), "
          + "or auto (the cgroup files, and Tasks.Metrics for tasks whose cgroup is not on this host, e.g. VM-based "
          + "runtimes such as Kata). Default: auto.")
  ExporterConfig.StatsSource statsSource = ExporterConfig.StatsSource.AUTO;

  @Option(
      names = "--labels.container-labels",
      paramLabel = "REGEX",
      description = "Container labels whose key this regex matches in full become container_label_<key> labels on "
          + "every per-container series, as cAdvisor's allow-list. Default: none (label values are unbounded).")
  String containerLabels = "";

  /** Throws IllegalArgumentException with a message fit for a one-line error. */
  public ExporterConfig toConfig(Set<String> enabledCollectors) {
    NamespaceFilter namespaces = new NamespaceFilter(regex("--containerd.namespaces.include", namespacesInclude),
        namespacesExclude.isEmpty()
            ? Optional.empty() : Optional.of(regex("--containerd.namespaces.exclude", namespacesExclude)));
    return new ExporterConfig(containerdAddress, containerdTimeout, listenAddress, telemetryPath, logLevel,
        new ExporterConfig.PollSettings(
            pollInterval, pollTimeout, namespaces, contentStallAfter, enabledCollectors),
        eventsRetention, cgroupfs, sysfs, procfs, statsSource,
        containerLabels.isEmpty() ? Optional.empty() : Optional.of(regex("--labels.container-labels", containerLabels)));
  }

  private static Pattern regex(String flag, String value) {
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(flag + ": '" + value + "' is not a regex (" + e.getDescription() + ")");
    }
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return PrometheusDuration.parse(value);
    }
  }

  static final class ListenAddressConverter implements ITypeConverter<ListenAddress> {
    @Override
    public ListenAddress convert(String value) {
      return ListenAddress.parse(value);
    }
  }

  static final class StatsSourceConverter implements ITypeConverter<ExporterConfig.StatsSource> {
    @Override
    public ExporterConfig.StatsSource convert(String value) {
      return ExporterConfig.StatsSource.parse(value);
    }
  }

  static final class LogLevelConverter implements ITypeConverter<LogLevel> {
    @Override
    public LogLevel convert(String value) {
      return LogLevel.parse(value);
    }
  }
}
