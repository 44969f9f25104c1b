package io.containerdexporter.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How the HTTP side protects itself.
 *
 * @param configFile the exporter-toolkit web config ({@code --web.config.file}), if any
 * @param maxRequests scrapes served at once, beyond which a scrape is answered 503; 0 for no limit
 * @param healthSkipAuth whether {@code /-/healthy} and {@code /-/ready} bypass basic auth and the
 *     rate limit (kubelet's probes carry no credentials)
 */
public record WebSettings(Optional<Path> configFile, int maxRequests, boolean healthSkipAuth) {

  /** node_exporter's default for its own --web.max-requests. */
  public static final int DEFAULT_MAX_REQUESTS = 40;

  public WebSettings {
    Objects.requireNonNull(configFile, "configFile");
    if (maxRequests < 0) {
      throw new IllegalArgumentException(
          "--web.max-requests=" + maxRequests + ": must be 0 (no limit) or more");
    }
  }

  /** Plain HTTP, no auth, the default limit: what the exporter does without web flags. */
  public static WebSettings defaults() {
    return new WebSettings(Optional.empty(), DEFAULT_MAX_REQUESTS, false);
  }
}
