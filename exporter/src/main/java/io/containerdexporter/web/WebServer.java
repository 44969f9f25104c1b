package io.containerdexporter.web;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.config.ListenAddress;
import io.containerdexporter.config.ServedPaths;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.model.ContainerdStatus;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.HttpErrorHandlingPolicy;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP side: the telemetry path, {@code /} (with {@code /api/v1/top} and {@code
 * /scrape-config}), {@code /-/healthy} and {@code /-/ready}, on every {@code --web.listen-address},
 * over TLS when the web config says so. Scrapes are cheap (they render published state), so a few
 * threads serve them; a burst beyond the queue is served by the accepting thread, which slows new
 * connections down instead of growing memory. HTTP/1.1 only: the JDK's server has no HTTP/2.
 */
public final class WebServer implements AutoCloseable {

  static {
    // The JDK server leaves Nagle's algorithm on, so on a keep-alive connection (Prometheus keeps
    // them) a response's last small segment waits for the client's delayed ACK: ~40 ms on every
    // scrape after the first. Read once, when the JDK's server first loads its configuration, so it
    // is set before any server is made; a -D on the command line still wins.
    System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
  }

  static final int THREADS = 4;
  static final int QUEUE = 64;

  private final List<HttpServer> servers;
  private final ThreadPoolExecutor executor;
  private final WebConfigWatcher watcher;
  private final ScrapeHandler scrapes;

  private WebServer(
      List<HttpServer> servers,
      ThreadPoolExecutor executor,
      WebConfigWatcher watcher,
      ScrapeHandler scrapes) {
    this.servers = servers;
    this.executor = executor;
    this.watcher = watcher;
    this.scrapes = scrapes;
  }

  /** Plain HTTP, no web config: what tests of the endpoints themselves need. */
  public static WebServer start(
      ExporterConfig config,
      BuildInfo build,
      PrometheusRegistry registry,
      Supplier<ContainerdStatus> status)
      throws IOException {
    WebConfigWatcher watcher =
        WebConfigWatcher.open(java.util.Optional.empty(), java.time.Clock.systemUTC());
    NodeTop idle =
        new NodeTop(status, () -> false, NodeTop.Recent.NONE, config, java.time.Clock.systemUTC());
    return start(
        config, build, registry, status, watcher, new WebMetrics(() -> watcher), idle::current);
  }

  /**
   * Binds every address and starts; an IOException here means an address can't be used (in use, not
   * local, …). The watcher's policy is read at every request and every TLS handshake; the server
   * starts the watcher and closes it with itself. The node page ({@code /}, {@code /api/v1/top})
   * shows what {@code top} holds.
   */
  public static WebServer start(
      ExporterConfig config,
      BuildInfo build,
      PrometheusRegistry registry,
      Supplier<ContainerdStatus> status,
      WebConfigWatcher watcher,
      WebMetrics metrics,
      Supplier<TopData> top)
      throws IOException {
    return start(config, build, registry, null, status, watcher, metrics, top);
  }

  /**
   * As above, with our families ({@code ours}, registered in {@code registry}) encoded straight
   * from what the sources published, without client_java snapshots of them.
   */
  public static WebServer start(
      ExporterConfig config,
      BuildInfo build,
      PrometheusRegistry registry,
      ExporterCollector ours,
      Supplier<ContainerdStatus> status,
      WebConfigWatcher watcher,
      WebMetrics metrics,
      Supplier<TopData> top)
      throws IOException {
    ThreadPoolExecutor executor = executor();
    AccessGate gate =
        new AccessGate(
            watcher::policy, config.web().healthSkipAuth(), config.web().maxRequests(), metrics);
    ScrapeHandler scrapes = scrapeHandler(registry, ours);
    List<HttpServer> servers = new ArrayList<>();
    try {
      for (ListenAddress address : config.listenAddresses()) {
        HttpServer server = bind(address.toSocketAddress(), watcher);
        server.setExecutor(executor);
        addContexts(server, config, build, scrapes, status, top, gate, watcher);
        servers.add(server);
      }
    } catch (IOException | RuntimeException e) {
      servers.forEach(s -> s.stop(0));
      executor.shutdownNow();
      throw e;
    }
    servers.forEach(HttpServer::start);
    watcher.start();
    return new WebServer(servers, executor, watcher, scrapes);
  }

  private static HttpServer bind(InetSocketAddress address, WebConfigWatcher watcher)
      throws IOException {
    if (!watcher.tls()) {
      return HttpServer.create(address, 128);
    }
    HttpsServer server = HttpsServer.create(address, 128);
    try {
      server.setHttpsConfigurator(ReloadingTls.create(() -> watcher.policy().tls().orElseThrow()));
    } catch (GeneralSecurityException e) {
      server.stop(0);
      throw new IOException("TLS cannot be set up: " + e.getMessage(), e);
    }
    return server;
  }

  private static void addContexts(
      HttpServer server,
      ExporterConfig config,
      BuildInfo build,
      ScrapeHandler metrics,
      Supplier<ContainerdStatus> status,
      Supplier<TopData> top,
      AccessGate gate,
      WebConfigWatcher watcher) {
    String telemetry = config.telemetryPath();
    server.createContext(telemetry, new GuardedHandler(telemetry, gate.guardScrape(metrics)));
    HttpHandler healthy = exchange -> Responses.text(exchange, 200, "Healthy\n");
    server.createContext(
        ServedPaths.HEALTHY, new GuardedHandler(ServedPaths.HEALTHY, gate.guardHealth(healthy)));
    HttpHandler ready =
        exchange -> {
          if (status.get().everAnswered()) {
            Responses.text(exchange, 200, "Ready\n");
          } else {
            Responses.text(exchange, 503, "Not ready: containerd has not answered yet\n");
          }
        };
    server.createContext(
        ServedPaths.READY, new GuardedHandler(ServedPaths.READY, gate.guardHealth(ready)));
    server.createContext(
        ServedPaths.PAGE,
        new GuardedHandler(
            ServedPaths.PAGE,
            gate.guard(
                new LandingPage(build, telemetry, config.poll().interval().toMillis(), top))));
    server.createContext(
        ServedPaths.TOP, new GuardedHandler(ServedPaths.TOP, gate.guard(new TopApi(top))));
    ScrapeConfig scrapeConfig =
        new ScrapeConfig(
            telemetry, config.poll().interval(), watcher.tls(), () -> watcher.policy().config());
    server.createContext(
        ServedPaths.SCRAPE_CONFIG,
        new GuardedHandler(ServedPaths.SCRAPE_CONFIG, gate.guard(scrapeConfig)));
  }

  /** One for every listen address, so they share one encoded exposition. */
  private static ScrapeHandler scrapeHandler(PrometheusRegistry registry, ExporterCollector ours) {
    // Never put exception details in a response body (client_java's default policy is already
    // generic; say so).
    HttpErrorHandlingPolicy errors =
        HttpErrorHandlingPolicy.builder().unsafeDebugResponse(false).build();
    PrometheusProperties properties = PrometheusProperties.get();
    return new ScrapeHandler(
        properties, registry, ours, new MetricsHandler(properties, registry, errors));
  }

  /**
   * Encodes what was just published in every format scrapers have asked for, so their next scrape
   * copies bytes. Called by the poller after each round.
   */
  public void prerender() {
    scrapes.prerender();
  }

  private static ThreadPoolExecutor executor() {
    AtomicInteger n = new AtomicInteger();
    return new ThreadPoolExecutor(
        THREADS,
        THREADS,
        60,
        TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(QUEUE),
        r -> {
          Thread t = new Thread(r, "http-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        },
        new ThreadPoolExecutor.CallerRunsPolicy());
  }

  /** The first address's socket (tests listen on port 0). */
  public InetSocketAddress address() {
    return servers.get(0).getAddress();
  }

  /** Every bound address, in --web.listen-address order. */
  public List<InetSocketAddress> addresses() {
    return servers.stream().map(HttpServer::getAddress).toList();
  }

  @Override
  public void close() {
    watcher.close();
    servers.forEach(s -> s.stop(0));
    executor.shutdownNow();
  }
}
