package io.containerdexporter.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where failed and successful image pulls are read from; every source is optional.
 *
 * @param logFile containerd's log file, followed like {@code tail -F}
 * @param journalUnit containerd's systemd unit, followed through journalctl
 * @param journalDirectory the journal directory journalctl reads (the host's /var/log/journal
 *     mounted into a pod); empty for the system journal
 * @param maxRepositories distinct repositories counted before the rest fold into "other"
 * @param containerdMetricsUrl containerd's own metrics endpoint ({@code [metrics] address}, path
 *     /v1/metrics)
 */
public record PullSettings(
    Optional<Path> logFile,
    Optional<String> journalUnit,
    Optional<Path> journalDirectory,
    int maxRepositories,
    Optional<URI> containerdMetricsUrl) {

  public static final int DEFAULT_MAX_REPOSITORIES = 200;

  public static final PullSettings NONE =
      new PullSettings(
          Optional.empty(),
          Optional.empty(),
          Optional.empty(),
          DEFAULT_MAX_REPOSITORIES,
          Optional.empty());

  public PullSettings {
    Objects.requireNonNull(logFile, "logFile");
    Objects.requireNonNull(journalUnit, "journalUnit");
    Objects.requireNonNull(journalDirectory, "journalDirectory");
    Objects.requireNonNull(containerdMetricsUrl, "containerdMetricsUrl");
    if (maxRepositories < 1) {
      throw new IllegalArgumentException(
          "--pulls.max-repositories=" + maxRepositories + ": must be at least 1");
    }
  }

  /** Parses {@code --containerd.metrics-url}: an absolute http(s) URL. */
  static URI metricsUrl(String value) {
    try {
      URI uri = new URI(value);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
          || uri.getHost() == null) {
        throw new IllegalArgumentException(
            "not an http(s) URL; expected e.g. http://127.0.0.1:1338/v1/metrics");
      }
      return uri;
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException(
          "not a URL; expected e.g. http://127.0.0.1:1338/v1/metrics");
    }
  }
}
