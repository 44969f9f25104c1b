package io.containerdexporter.web;

import com.sun.net.httpserver.HttpServer;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.model.ContainerdStatus;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.httpserver.HttpErrorHandlingPolicy;
import io.prometheus.metrics.exporter.httpserver.MetricsHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * The HTTP side: the telemetry path, {@code /}, {@code /-/healthy} and {@code /-/ready}. Scrapes
 * are cheap (they render published state), so a few threads serve them; a burst beyond the queue is
 * served by the accepting thread, which slows new connections down instead of growing memory.
 */
public final class WebServer implements AutoCloseable {

  static final int THREADS = 4;
  static final int QUEUE = 64;

  private final HttpServer server;
  private final ThreadPoolExecutor executor;

  private WebServer(HttpServer server, ThreadPoolExecutor executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds and starts; an IOException here means the address can't be used (in use, not local, …).
   */
  public static WebServer start(
      ExporterConfig config,
      BuildInfo build,
      PrometheusRegistry registry,
      Supplier<ContainerdStatus> status)
      throws IOException {
    HttpServer server = HttpServer.create(config.listenAddress().toSocketAddress(), 128);
    AtomicInteger n = new AtomicInteger();
    ThreadPoolExecutor executor =
        new ThreadPoolExecutor(
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
    server.setExecutor(executor);

    // Never put exception details in a response body (client_java's default policy is already
    // generic; say so).
    HttpErrorHandlingPolicy errors =
        HttpErrorHandlingPolicy.builder().unsafeDebugResponse(false).build();
    MetricsHandler metrics = new MetricsHandler(PrometheusProperties.get(), registry, errors);

    server.createContext(
        config.telemetryPath(), new GuardedHandler(config.telemetryPath(), metrics));
    server.createContext(
        "/-/healthy",
        new GuardedHandler("/-/healthy", exchange -> Responses.text(exchange, 200, "Healthy\n")));
    server.createContext(
        "/-/ready",
        new GuardedHandler(
            "/-/ready",
            exchange -> {
              if (status.get().everAnswered()) {
                Responses.text(exchange, 200, "Ready\n");
              } else {
                Responses.text(exchange, 503, "Not ready: containerd has not answered yet\n");
              }
            }));
    server.createContext(
        "/",
        new GuardedHandler(
            "/",
            new LandingPage(build, config.containerdAddress(), config.telemetryPath(), status)));
    server.start();
    return new WebServer(server, executor);
  }

  public InetSocketAddress address() {
    return server.getAddress();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
