package io.containerdexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.model.ContainerdStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;

/** {@code /}: what this is, which containerd it watches, and links to the endpoints. */
final class LandingPage implements HttpHandler {

  private final BuildInfo build;
  private final Path containerdAddress;
  private final String telemetryPath;
  private final Supplier<ContainerdStatus> status;

  LandingPage(
      BuildInfo build,
      Path containerdAddress,
      String telemetryPath,
      Supplier<ContainerdStatus> status) {
    this.build = build;
    this.containerdAddress = containerdAddress;
    this.telemetryPath = telemetryPath;
    this.status = status;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    ContainerdStatus now = status.get();
    String version =
        now.version().map(v -> v.version() + " (revision " + v.revision() + ")").orElse("unknown");
    String html =
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>containerd-exporter</title>
        <style>body{font-family:sans-serif;margin:2em;max-width:50em}dt{font-weight:bold}code{background:#eee}</style>
        </head>
        <body>
        <h1>containerd-exporter</h1>
        <p>Prometheus exporter for containerd: events, inventory and cgroup statistics of every task.</p>
        <dl>
        <dt>Version</dt><dd>%s (revision %s, Java %s)</dd>
        <dt>containerd</dt><dd><code>%s</code>: %s, version %s</dd>
        </dl>
        <ul>
        <li><a href="%s">Metrics</a></li>
        <li><a href="/-/healthy">Health</a> (the process is alive)</li>
        <li><a href="/-/ready">Readiness</a> (containerd has answered at least once)</li>
        </ul>
        </body>
        </html>
        """
            .formatted(
                escape(build.version()),
                escape(build.revision()),
                escape(build.javaVersion()),
                escape(containerdAddress.toString()),
                now.up() ? "up" : "<strong>down</strong>",
                escape(version),
                escape(telemetryPath));
    Responses.send(exchange, 200, "text/html; charset=utf-8", html);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
