package io.containerdexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.containerdexporter.config.ServedPaths;
import io.containerdexporter.config.WebConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@code /scrape-config}: a Prometheus {@code scrape_configs} entry for this exporter as it runs,
 * for {@code prometheus.yml}. What it can know it takes from the exporter itself: https when the
 * web config serves TLS (fixed at start), a client certificate when {@code client_auth_type}
 * requires one and basic auth when {@code basic_auth_users} has users (both as in force now: the
 * file is reloaded), {@code --web.telemetry-path}, {@code --poll.interval} as the scrape interval,
 * and the address the page was opened on as the target. What it cannot know (the CA file on the
 * Prometheus side, a user's password) are placeholders; no secret and no hash is ever printed.
 *
 * @param tls whether the server speaks TLS (fixed at start)
 * @param config the web config in force (reloaded)
 */
record ScrapeConfig(
    String telemetryPath, Duration interval, boolean tls, Supplier<WebConfig> config)
    implements HttpHandler {

  static final String PATH = ServedPaths.SCRAPE_CONFIG;

  /** Prometheus' own default scrape timeout; a shorter interval caps it. */
  static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Where the placeholders put the files Prometheus needs; {@code PLACEHOLDER} says replace. */
  static final String FILES = "/etc/prometheus/containerd-exporter/";

  /** A host name, an IPv4 or a bracketed IPv6 address, with an optional port: a Host header. */
  private static final Pattern HOST =
      Pattern.compile("([A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}\\])(:[0-9]{1,5})?");

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String target =
        target(exchange.getRequestHeaders().getFirst("Host"), exchange.getLocalAddress());
    Responses.text(exchange, 200, render(target, config.get()));
  }

  /**
   * The Host header the page was asked with (how the client reached the exporter), if it is a plain
   * host[:port]; else the local address the request came in on.
   */
  static String target(String hostHeader, InetSocketAddress local) {
    if (hostHeader != null && HOST.matcher(hostHeader).matches()) {
      return hostHeader;
    }
    String host = local.getAddress().getHostAddress();
    return (host.contains(":") ? "[" + host.replaceFirst("%.*", "") + "]" : host)
        + ":"
        + local.getPort();
  }

  String render(String target, WebConfig web) {
    Optional<WebConfig.ClientAuth> clientAuth = web.tls().map(WebConfig.Tls::clientAuth);
    boolean clientCert = tls && clientAuth.map(WebConfig.ClientAuth::required).orElse(false);
    StringBuilder y = new StringBuilder(1024);
    y.append(
        """
        # A Prometheus scrape config for this containerd-exporter, from the flags and the web config
        # it runs with. Put the job under scrape_configs in prometheus.yml and replace what says
        # PLACEHOLDER. In Kubernetes, the Helm chart's ServiceMonitor (serviceMonitor.enabled=true)
        # scrapes every node's exporter instead.
        scrape_configs:
        - job_name: containerd-exporter
          # The exporter reads containerd once per --poll.interval: scraping more often shows
          # nothing new.
        """);
    y.append("  scrape_interval: ").append(duration(interval)).append('\n');
    y.append("  scrape_timeout: ")
        .append(duration(interval.compareTo(DEFAULT_TIMEOUT) < 0 ? interval : DEFAULT_TIMEOUT))
        .append('\n');
    y.append("  metrics_path: ").append(quote(telemetryPath)).append('\n');
    y.append(
        """
          # namespace, pod and container are the containers' own labels, not the target's.
          honor_labels: true
        """);
    y.append("  scheme: ").append(tls ? "https" : "http").append('\n');
    if (tls) {
      y.append("  tls_config:\n")
          .append("    # PLACEHOLDER: the CA that signed the exporter's certificate\n")
          .append("    # (tls_server_config.cert_file of its web config).\n")
          .append("    ca_file: ")
          .append(FILES)
          .append("ca.crt\n");
      if (clientCert) {
        y.append("    # PLACEHOLDER: a client certificate and its key, as client_auth_type ")
            .append(clientAuth.get().yamlName())
            .append("\n    # requires (signed by its client_ca_file, with an allowed SAN if it")
            .append(" lists any).\n")
            .append("    cert_file: ")
            .append(FILES)
            .append("client.crt\n")
            .append("    key_file: ")
            .append(FILES)
            .append("client.key\n");
      }
      y.append(
          "    # server_name: PLACEHOLDER, a name of the certificate if the target is not one.\n");
    }
    if (!web.users().isEmpty()) {
      y.append("  basic_auth:\n")
          .append("    # PLACEHOLDER: a user of the web config's basic_auth_users, and a file\n")
          .append("    # holding that user's password (the password, not its bcrypt hash).\n")
          .append("    username: PLACEHOLDER\n")
          .append("    password_file: ")
          .append(FILES)
          .append("password\n");
    }
    y.append("  static_configs:\n")
        .append("  # The address this was fetched from; one target per node.\n")
        .append("  - targets: [")
        .append(quote(target))
        .append("]\n");
    return y.toString();
  }

  /** Prometheus' duration format: whole seconds, or milliseconds. */
  static String duration(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
  }

  /** A YAML single-quoted scalar: nothing inside is special but the quote, which is doubled. */
  static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }
}
