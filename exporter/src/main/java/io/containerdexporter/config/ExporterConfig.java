package io.containerdexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The validated configuration of one exporter process. Everything downstream takes this record, never the raw flags.
 *
 * @param containerdAddress unix socket of containerd's gRPC API
 * @param containerdTimeout deadline of every unary call to containerd
 * @param listenAddress where the HTTP server listens
 * @param telemetryPath path of the metrics endpoint
 * @param logLevel minimum level logged
 */
public record ExporterConfig(
    Path containerdAddress,
    Duration containerdTimeout,
    ListenAddress listenAddress,
    String telemetryPath,
    LogLevel logLevel) {

  public static final int DEFAULT_PORT = 9338;

  public ExporterConfig {
    Objects.requireNonNull(containerdAddress, "containerdAddress");
    Objects.requireNonNull(listenAddress, "listenAddress");
    Objects.requireNonNull(logLevel, "logLevel");
    if (containerdTimeout.isNegative() || containerdTimeout.isZero()) {
      throw new IllegalArgumentException("--containerd.timeout must be positive");
    }
    if (!telemetryPath.startsWith("/") || telemetryPath.length() < 2 || telemetryPath.startsWith("/-/")) {
      throw new IllegalArgumentException(
          "--web.telemetry-path '" + telemetryPath + "' must start with / and not be / or under /-/");
    }
  }
}
