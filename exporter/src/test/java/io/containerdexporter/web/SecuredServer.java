package io.containerdexporter.web;

import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.CommandLineParser;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.config.WebConfigException;
import io.containerdexporter.exposition.ContainerdStatusMetrics;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.model.ContainerdStatus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A WebServer started the way Exporter starts it, from flags and (optionally) a web config file,
 * serving containerd_up plus whatever the test registers.
 */
final class SecuredServer implements AutoCloseable {

  final WebConfigWatcher watcher;
  final WebMetrics metrics;
  final WebServer server;
  final PrometheusRegistry registry;

  private SecuredServer(
      WebConfigWatcher watcher, WebMetrics metrics, WebServer server, PrometheusRegistry registry) {
    this.watcher = watcher;
    this.metrics = metrics;
    this.server = server;
    this.registry = registry;
  }

  /** Writes {@code yaml} to {@code dir/web.yml} (unless null) and starts a server on it. */
  static SecuredServer start(Path dir, String yaml, PrometheusRegistry registry, String... flags)
      throws IOException {
    List<String> args = new ArrayList<>(List.of("--containerd.address=/run/test/containerd.sock"));
    if (List.of(flags).stream().noneMatch(f -> f.startsWith("--web.listen-address"))) {
      args.add("--web.listen-address=127.0.0.1:0");
    }
    Optional<Path> file = Optional.empty();
    if (yaml != null) {
      Path web = dir.resolve("web.yml");
      Files.writeString(web, yaml);
      file = Optional.of(web);
      args.add("--web.config.file=" + web);
    }
    args.addAll(List.of(flags));
    ExporterConfig config =
        ((CommandLineParser.Run)
                CommandLineParser.parse(
                    args.toArray(String[]::new),
                    new PrintWriter(Writer.nullWriter()),
                    new PrintWriter(Writer.nullWriter())))
            .config();
    WebConfigWatcher watcher = WebConfigWatcher.open(file, Clock.systemUTC());
    WebMetrics metrics = new WebMetrics(() -> watcher);
    registry.register(
        new ExporterCollector(
            Map.of(
                "containerd",
                new ContainerdStatusMetrics(() -> ContainerdStatus.initial(Instant.EPOCH)),
                "web",
                metrics)));
    WebServer server =
        WebServer.start(
            config,
            new BuildInfo("1.2.3", "abc", "17"),
            registry,
            () -> ContainerdStatus.initial(Instant.EPOCH),
            watcher,
            metrics,
            new NodeTop(
                    () -> ContainerdStatus.initial(Instant.EPOCH),
                    () -> false,
                    NodeTop.Recent.NONE,
                    config,
                    java.time.Clock.systemUTC())
                ::current);
    return new SecuredServer(watcher, metrics, server, registry);
  }

  static SecuredServer start(Path dir, String yaml, String... flags) throws IOException {
    return start(dir, yaml, new PrometheusRegistry(), flags);
  }

  /** For tests that expect the file to be refused. */
  static WebConfigException refused(Path dir, String yaml) throws IOException {
    Path web = dir.resolve("web.yml");
    Files.writeString(web, yaml);
    try {
      WebConfigWatcher.open(Optional.of(web), Clock.systemUTC()).close();
    } catch (WebConfigException e) {
      return e;
    }
    throw new AssertionError("accepted: " + yaml);
  }

  InetSocketAddress address() {
    return server.address();
  }

  @Override
  public void close() {
    server.close();
  }
}
