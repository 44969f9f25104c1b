package io.containerdexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.CommandLineParser;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.exposition.ContainerdStatusMetrics;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.model.ContainerdStatus;
import io.containerdexporter.model.ContainerdVersion;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebServerTest {

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<ContainerdStatus> status =
      new AtomicReference<>(ContainerdStatus.initial(Instant.EPOCH));
  private WebServer server;

  private WebServer start(PrometheusRegistry registry) throws Exception {
    server =
        WebServer.start(
            loopbackConfig(), new BuildInfo("1.2.3", "abc", "17"), registry, status::get);
    return server;
  }

  /** Default flags on 127.0.0.1, any free port. */
  static ExporterConfig loopbackConfig() {
    return ((CommandLineParser.Run)
            CommandLineParser.parse(
                new String[] {
                  "--containerd.address=/run/test/containerd.sock",
                  "--web.listen-address=127.0.0.1:0"
                },
                new PrintWriter(Writer.nullWriter()),
                new PrintWriter(Writer.nullWriter())))
        .config();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
    HttpRequest request =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody()).build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private PrometheusRegistry registryWithStatus() {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(
        new ExporterCollector(Map.of("containerd", new ContainerdStatusMetrics(status::get))));
    return registry;
  }

  @Test
  void servesMetricsLandingPageAndHealth() throws Exception {
    start(registryWithStatus());
    HttpResponse<String> metrics = send("GET", "/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(
        metrics.body().contains("containerd_up 0.0") || metrics.body().contains("containerd_up 0"),
        metrics.body());

    HttpResponse<String> landing = send("GET", "/");
    assertEquals(200, landing.statusCode());
    assertTrue(landing.body().contains("href=\"/metrics\""));
    assertTrue(landing.body().contains("/run/test/containerd.sock"));
    assertTrue(landing.body().contains("href=\"/api/v1/top\""));

    HttpResponse<String> api = send("GET", "/api/v1/top");
    assertEquals(200, api.statusCode());
    assertEquals(Optional.of("application/json"), api.headers().firstValue("Content-Type"));
    assertTrue(api.body().contains("\"address\":\"/run/test/containerd.sock\""), api.body());
    assertEquals(404, send("GET", "/api/v1/topx").statusCode());

    assertEquals(200, send("GET", "/-/healthy").statusCode());
  }

  @Test
  void readyOnlyOnceContainerdAnswered() throws Exception {
    start(registryWithStatus());
    HttpResponse<String> notReady = send("GET", "/-/ready");
    assertEquals(503, notReady.statusCode());
    status.set(
        new ContainerdStatus(
            true, Optional.of(new ContainerdVersion("1.6.20", "r")), Instant.EPOCH));
    assertEquals(200, send("GET", "/-/ready").statusCode());
    status.set(
        new ContainerdStatus(
            false, Optional.of(new ContainerdVersion("1.6.20", "r")), Instant.EPOCH));
    assertEquals(
        200,
        send("GET", "/-/ready").statusCode(),
        "ready is about having answered once, up is a metric");
  }

  @Test
  void unknownPathsAndMethodsAreRefused() throws Exception {
    start(registryWithStatus());
    assertEquals(404, send("GET", "/nope").statusCode());
    assertEquals(404, send("GET", "/metricsx").statusCode());
    assertEquals(404, send("GET", "/-/healthyx").statusCode());
    HttpResponse<String> post = send("POST", "/metrics");
    assertEquals(405, post.statusCode());
    assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    assertEquals(405, send("TRACE", "/").statusCode());
    HttpResponse<String> head = send("HEAD", "/-/healthy");
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
  }

  /**
   * A request body is never read nor echoed: a GET with 32 KiB of body is answered as without one,
   * and the server keeps answering. (Over the JDK server's drain amount, 64 KiB, it closes the
   * connection with the body unread, and the client may see the answer cut short: docs/security.md,
   * known limits.)
   */
  @Test
  void requestBodiesAreIgnored() throws Exception {
    start(registryWithStatus());
    String body = "<script>marker-7f3a</script>".repeat(32 * 1024 / 28);
    for (String path : new String[] {"/metrics", "/", "/-/healthy", "/nope"}) {
      URI uri = URI.create("http://127.0.0.1:" + server.address().getPort() + path);
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(uri)
                  .method("GET", HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(path.equals("/nope") ? 404 : 200, r.statusCode(), path);
      assertFalse(r.body().contains("marker-7f3a"), path);
    }
    assertEquals(200, send("GET", "/metrics").statusCode());
  }

  @Test
  void aFailingCollectorNeverPutsAStackTraceInTheResponse() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(
        new MultiCollector() {
          @Override
          public MetricSnapshots collect() {
            throw new IllegalStateException("secret internal detail");
          }
        });
    start(registry);
    HttpResponse<String> response = send("GET", "/metrics");
    assertEquals(500, response.statusCode());
    assertFalse(response.body().contains("secret internal detail"), response.body());
    assertFalse(response.body().contains("at io."), response.body());
    assertFalse(response.body().contains("Exception"), response.body());
  }
}
