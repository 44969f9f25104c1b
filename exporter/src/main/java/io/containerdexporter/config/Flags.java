package io.containerdexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The command line, in the Prometheus exporters' style ({@code --area.name=value}). Values are
 * converted and checked here; {@code --help} is {@link HelpText}'s layout of these descriptions;
 * {@link #toConfig(Set, boolean)} builds the record the rest of the program uses.
 */
@Command(
    name = "containerd-exporter",
    mixinStandardHelpOptions = true,
    versionProvider = BuildInfo.VersionProvider.class,
    sortOptions = false)
public final class Flags {

  @Option(
      names = "--containerd.address",
      paramLabel = "PATH",
      converter = ContainerdAddressConverter.class,
      description =
          "Unix socket of containerd's gRPC API, as a path or unix:///path (kubelet's and crictl's form). "
              + "Default: /run/containerd/containerd.sock.")
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
      description =
          "Address to listen on for the web interface and telemetry; repeat the flag to listen on several. "
              + "Default: :"
              + ExporterConfig.DEFAULT_PORT
              + ".")
  List<ListenAddress> listenAddresses = new ArrayList<>();

  @Option(
      names = "--web.config.file",
      paramLabel = "FILE",
      description =
          "exporter-toolkit web config (TLS, client certificates, basic auth, rate limit, headers); "
              + "re-read when it or a file it names changes. Default: none (plain HTTP, no auth).")
  Path webConfigFile;

  @Option(
      names = "--web.max-requests",
      paramLabel = "N",
      description =
          "Scrapes served at once; one beyond that is answered 503 at once (and counted). 0: no limit. "
              + "Default: ${DEFAULT-VALUE}.")
  int webMaxRequests = WebSettings.DEFAULT_MAX_REQUESTS;

  @Option(
      names = "--web.health.skip-auth",
      description =
          "Serve /-/healthy and /-/ready without basic auth and outside the rate limit, for probes "
              + "(kubelet's carry no credentials); /metrics and / stay protected. Default: off.")
  boolean healthSkipAuth;

  @Option(
      names = "--web.telemetry-path",
      paramLabel = "PATH",
      description = "Path under which to expose metrics. Default: ${DEFAULT-VALUE}.")
  String telemetryPath = "/metrics";

  @Option(
      names = "--log.level",
      paramLabel = "LEVEL",
      converter = LogLevelConverter.class,
      description =
          "Only log messages with the given severity or above: debug, info, warn, error. Default: info.")
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
      description =
          "How long one collector may take in one poll (at most --poll.interval); one that takes longer "
              + "keeps its last values. Default: 10s, or --poll.interval if that is shorter.")
  Duration pollTimeout; // null: not set, follows the interval

  @Option(
      names = "--poll.max-staleness",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long a failing collector's last values are served (at least --poll.interval); then its "
              + "families are dropped until it succeeds again. Default: 3 x --poll.interval.")
  Duration pollMaxStaleness; // null: not set, follows the interval

  @Option(
      names = "--collector.writable-layer.interval",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How often each container's writable-layer disk usage is asked of containerd (a walk of its "
              + "files on the snapshotter's side, like cAdvisor's fs housekeeping). Default: 1m.")
  Duration writableLayerInterval = Duration.ofMinutes(1);

  @Option(
      names = "--content.stall-after",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "An ingest (a blob being written, e.g. pulled) with no progress for this long counts as stalled. "
              + "Default: 2m.")
  Duration contentStallAfter = Duration.ofMinutes(2);

  @Option(
      names = "--events.retention",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long the per-container event series (OOMs, exits, starts) of a deleted container stay, so "
              + "Prometheus sees their last increment. Default: 15m.")
  Duration eventsRetention = Duration.ofMinutes(15);

  @Option(
      names = "--path.cgroupfs",
      paramLabel = "PATH",
      description =
          "Where the cgroup hierarchy is mounted; in a container, mount the host's. Default: ${DEFAULT-VALUE}.")
  Path cgroupfs = Path.of("/sys/fs/cgroup");

  @Option(
      names = "--path.sysfs",
      paramLabel = "PATH",
      description = "Where sysfs is mounted (block device names). Default: ${DEFAULT-VALUE}.")
  Path sysfs = Path.of("/sys");

  @Option(
      names = "--path.procfs",
      paramLabel = "PATH",
      description =
          "Where the host's procfs is mounted (network counters of every pod, read from its pid's net/dev). "
              + "Default: ${DEFAULT-VALUE}.")
  Path procfs = Path.of("/proc");

  @Option(
      names = "--stats.source",
      paramLabel = "SOURCE",
      converter = StatsSourceConverter.class,
      description =
          "Where task-stats reads each task's CPU, memory, threads and I/O: cgroupfs (the cgroup files "
              + "under --path.cgroupfs, as cAdvisor), api (containerd's Tasks.Metrics, one call per namespace per poll), "
              + "or auto (the cgroup files, and Tasks.Metrics for tasks whose cgroup is not on this host, e.g. VM-based "
              + "runtimes such as Kata). Default: auto.")
  ExporterConfig.StatsSource statsSource = ExporterConfig.StatsSource.AUTO;

  @Option(
      names = "--labels.container-labels",
      paramLabel = "REGEX",
      description =
          "Container labels whose key this regex matches in full become container_label_<key> labels on "
              + "every per-container series, as cAdvisor's allow-list. Default: none (label values are unbounded).")
  String containerLabels = "";

  @Option(
      names = "--pulls.log-file",
      paramLabel = "PATH",
      description =
          "containerd's log file, followed like tail -F (from its end at start-up; across rotation, truncation and "
              + "a restart onto a new file) for CRI's PullImage lines: failed and successful pulls per registry and "
              + "repository. Default: none.")
  Path pullsLogFile;

  @Option(
      names = "--pulls.journal-unit",
      paramLabel = "UNIT",
      description =
          "containerd's systemd unit (e.g. containerd), whose journal is followed through journalctl (its JSON "
              + "output) for the same lines. Default: none.")
  String pullsJournalUnit;

  @Option(
      names = "--pulls.journal-directory",
      paramLabel = "PATH",
      description =
          "The journal directory journalctl reads (the host's /var/log/journal mounted into the pod). "
              + "Default: the system journal.")
  Path pullsJournalDirectory;

  @Option(
      names = "--pulls.max-repositories",
      paramLabel = "N",
      description =
          "At most this many distinct repositories get series of their own in the pull families; further ones "
              + "count as repository=\"other\". Default: ${DEFAULT-VALUE}.")
  int pullsMaxRepositories = PullSettings.DEFAULT_MAX_REPOSITORIES;

  @Option(
      names = "--containerd.metrics-url",
      paramLabel = "URL",
      converter = MetricsUrlConverter.class,
      description =
          "containerd's own metrics endpoint (its [metrics] address, path /v1/metrics, e.g. "
              + "http://127.0.0.1:1338/v1/metrics): its node-level CRI pull counters are re-exported. Default: none.")
  java.net.URI containerdMetricsUrl;

  /** The default of --poll.timeout when it is not set: 10s, but never longer than the interval. */
  static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The default of --poll.max-staleness when it is not set, in intervals (node_exporter-like: a few
   * missed rounds).
   */
  static final int DEFAULT_STALENESS_INTERVALS = 3;

  /**
   * Throws IllegalArgumentException with a message fit for a one-line error.
   *
   * @param jvmMetrics the value of {@code --[no-]metrics.jvm}, a switch the parser reads like the
   *     collectors'
   */
  public ExporterConfig toConfig(Set<String> enabledCollectors, boolean jvmMetrics) {
    NamespaceFilter namespaces =
        new NamespaceFilter(
            regex("--containerd.namespaces.include", namespacesInclude),
            namespacesExclude.isEmpty()
                ? Optional.empty()
                : Optional.of(regex("--containerd.namespaces.exclude", namespacesExclude)));
    // Only a value the user set is checked against the interval; the defaults follow it.
    Duration timeout =
        pollTimeout != null
            ? pollTimeout
            : (pollInterval.compareTo(DEFAULT_POLL_TIMEOUT) < 0
                ? pollInterval
                : DEFAULT_POLL_TIMEOUT);
    Duration maxStaleness =
        pollMaxStaleness != null
            ? pollMaxStaleness
            : pollInterval.multipliedBy(DEFAULT_STALENESS_INTERVALS);
    return new ExporterConfig(
        containerdAddress,
        containerdTimeout,
        listenAddresses.isEmpty()
            ? List.of(new ListenAddress("", ExporterConfig.DEFAULT_PORT))
            : List.copyOf(listenAddresses),
        new WebSettings(Optional.ofNullable(webConfigFile), webMaxRequests, healthSkipAuth),
        telemetryPath,
        logLevel,
        new ExporterConfig.PollSettings(
            pollInterval, timeout, maxStaleness, namespaces, contentStallAfter, enabledCollectors),
        eventsRetention,
        cgroupfs,
        sysfs,
        procfs,
        statsSource,
        containerLabels.isEmpty()
            ? Optional.empty()
            : Optional.of(regex("--labels.container-labels", containerLabels)),
        writableLayerInterval,
        jvmMetrics,
        new PullSettings(
            Optional.ofNullable(pullsLogFile),
            Optional.ofNullable(pullsJournalUnit).filter(u -> !u.isBlank()),
            Optional.ofNullable(pullsJournalDirectory),
            pullsMaxRepositories,
            Optional.ofNullable(containerdMetricsUrl)));
  }

  private static Pattern regex(String flag, String value) {
    try {
      return Pattern.compile(value);
    } catch (PatternSyntaxException e) {
      throw new IllegalArgumentException(
          flag + "=" + value + ": not a regex (" + e.getDescription() + ")");
    }
  }

  /**
   * Lets a converter's IllegalArgumentException reach the user as its message alone: picocli wraps
   * any other exception as "cannot convert 'x' to Type (java.lang....)", a TypeConversionException
   * it passes on as is.
   */
  private static <T> T converted(java.util.function.Function<String, T> parser, String value) {
    try {
      return parser.apply(value);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = converted(PrometheusDuration::parse, value);
      if (d.isZero()) {
        throw new TypeConversionException("must be positive");
      }
      return d;
    }
  }

  static final class ContainerdAddressConverter implements ITypeConverter<Path> {
    @Override
    public Path convert(String value) {
      return converted(ContainerdAddress::parse, value);
    }
  }

  static final class ListenAddressConverter implements ITypeConverter<ListenAddress> {
    @Override
    public ListenAddress convert(String value) {
      return converted(ListenAddress::parse, value);
    }
  }

  static final class StatsSourceConverter implements ITypeConverter<ExporterConfig.StatsSource> {
    @Override
    public ExporterConfig.StatsSource convert(String value) {
      return converted(ExporterConfig.StatsSource::parse, value);
    }
  }

  static final class MetricsUrlConverter implements ITypeConverter<java.net.URI> {
    @Override
    public java.net.URI convert(String value) {
      return converted(PullSettings::metricsUrl, value);
    }
  }

  static final class LogLevelConverter implements ITypeConverter<LogLevel> {
    @Override
    public LogLevel convert(String value) {
      return converted(LogLevel::parse, value);
    }
  }
}
