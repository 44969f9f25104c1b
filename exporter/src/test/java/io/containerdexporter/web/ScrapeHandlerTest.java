package io.containerdexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.exposition.BuildInfoMetrics;
import io.containerdexporter.exposition.ContainerdStatusMetrics;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.model.ContainerdStatus;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The telemetry path's negotiation, served from encoded families, against client_java's bytes. */
class ScrapeHandlerTest {

  private static final String OPENMETRICS =
      "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";

  private final HttpClient http = HttpClient.newHttpClient();
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private WebServer server;

  @BeforeEach
  void start() throws Exception {
    Map<String, io.containerdexporter.metrics.MetricSource> sources = new LinkedHashMap<>();
    sources.put(
        "containerd", new ContainerdStatusMetrics(() -> ContainerdStatus.initial(Instant.EPOCH)));
    sources.put("build", new BuildInfoMetrics(new BuildInfo("1.2.3", "abc", "17")));
    registry.register(new ExporterCollector(sources));
    server =
        WebServer.start(
            WebServerTest.loopbackConfig(),
            new BuildInfo("1.2.3", "abc", "17"),
            registry,
            () -> null);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void textWithoutAcceptIsClientJavasText() throws Exception {
    HttpResponse<byte[]> r = get("/metrics", null, null);

    assertEquals(200, r.statusCode());
    assertEquals(
        PrometheusTextFormatWriter.CONTENT_TYPE,
        r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(text(PrometheusTextFormatWriter.create()), utf8(r.body()));
  }

  @Test
  void openMetricsGzipInflatesToClientJavasOpenMetrics() throws Exception {
    server.prerender(); // nothing asked yet: a no-op
    get("/metrics", OPENMETRICS, "gzip");
    server.prerender(); // what a poll round does after publishing

    HttpResponse<byte[]> r = get("/metrics", OPENMETRICS, "deflate, gzip");

    assertEquals("gzip", r.headers().firstValue("Content-Encoding").orElseThrow());
    assertEquals(
        OpenMetricsTextFormatWriter.CONTENT_TYPE,
        r.headers().firstValue("Content-Type").orElseThrow());
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(r.body()))) {
      assertEquals(text(OpenMetricsTextFormatWriter.create()), utf8(in.readAllBytes()));
    }
  }

  @Test
  void nameFilterAndDebugStillWorkThroughClientJavasHandler() throws Exception {
    String filtered = utf8(get("/metrics?name[]=containerd_up", null, null).body());
    assertTrue(filtered.contains("containerd_up "), filtered);
    assertFalse(filtered.contains("containerd_exporter_build_info"), filtered);

    HttpResponse<byte[]> debug = get("/metrics?debug=openmetrics", null, null);
    assertEquals(200, debug.statusCode());
    assertTrue(utf8(debug.body()).endsWith("# EOF\n"));
  }

  /**
   * The JVM's and the process's families are sampled when a round publishes, not at every scrape
   * (collecting them costs more than the rest of a scrape), and served as sampled in between.
   */
  @Test
  void runtimeFamiliesAreSampledOncePerRoundNotPerScrape() throws Exception {
    PrometheusRegistry withOurs = new PrometheusRegistry();
    ExporterCollector ours = ourBuildInfo(withOurs);
    AtomicInteger collected = new AtomicInteger();
    GaugeWithCallback.builder()
        .name("process_fake_samples")
        .help("How often the registry collected this gauge.")
        .callback(cb -> cb.call(collected.incrementAndGet()))
        .register(withOurs);
    WebServer served = startServing(withOurs, ours);
    try {
      String first = utf8(get(served, "/metrics").body());
      String second = utf8(get(served, "/metrics").body());
      assertTrue(first.contains("process_fake_samples 1.0"), first);
      assertTrue(second.contains("process_fake_samples 1.0"), second);
      assertTrue(second.contains("containerd_exporter_build_info{"), second);

      served.prerender(); // a round published
      String third = utf8(get(served, "/metrics").body());
      assertTrue(third.contains("process_fake_samples 2.0"), third);
      assertEquals(2, collected.get());

      String live = utf8(get(served, "/metrics?name[]=process_fake_samples").body());
      assertTrue(live.contains("process_fake_samples 3.0"), live);
    } finally {
      served.close();
    }
  }

  /**
   * After rounds that only gzip scrapes asked for, a family keeps only its deflated bytes; a plain
   * scrape of the same format still gets every byte, the same as the gzip'd body inflated.
   */
  @Test
  void aPlainScrapeAfterGzipOnlyRoundsGetsTheSameBytes() throws Exception {
    PrometheusRegistry withOurs = new PrometheusRegistry();
    ExporterCollector ours = ourBuildInfo(withOurs);
    GaugeWithCallback.builder()
        .name("fake_tasks")
        .help("Enough series for a family of more than 4 KiB.")
        .labelNames("id")
        .callback(
            cb -> {
              for (int i = 0; i < 500; i++) {
                cb.call(i, "task-" + i);
              }
            })
        .register(withOurs);
    WebServer served = startServing(withOurs, ours);
    try {
      get(served, "/metrics", OPENMETRICS, "gzip");
      served.prerender(); // a round: only gzip asked for, so the plain bytes are let go

      HttpResponse<byte[]> gzipped = get(served, "/metrics", OPENMETRICS, "gzip");
      HttpResponse<byte[]> plain = get(served, "/metrics", OPENMETRICS, null);

      assertTrue(plain.headers().firstValue("Content-Encoding").isEmpty());
      String body = utf8(plain.body());
      assertTrue(body.contains("fake_tasks{id=\"task-499\"} 499.0\n"), body);
      assertTrue(body.endsWith("# EOF\n"), body);
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped.body()))) {
        assertEquals(body, utf8(in.readAllBytes()));
      }
    } finally {
      served.close();
    }
  }

  /** Our build info family, registered in {@code registry} as the exporter registers its own. */
  private static ExporterCollector ourBuildInfo(PrometheusRegistry registry) {
    ExporterCollector ours =
        new ExporterCollector(
            Map.of("build", new BuildInfoMetrics(new BuildInfo("1.2.3", "abc", "17"))));
    registry.register(ours);
    return ours;
  }

  /** A server that serves {@code ours} as published and the registry's others as sampled. */
  private static WebServer startServing(PrometheusRegistry registry, ExporterCollector ours)
      throws Exception {
    WebConfigWatcher watcher = WebConfigWatcher.open(Optional.empty(), Clock.systemUTC());
    return WebServer.start(
        WebServerTest.loopbackConfig(),
        new BuildInfo("1.2.3", "abc", "17"),
        registry,
        ours,
        () -> ContainerdStatus.initial(Instant.EPOCH),
        watcher,
        new WebMetrics(() -> watcher),
        () -> null);
  }

  private String text(io.prometheus.metrics.expositionformats.ExpositionFormatWriter writer)
      throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, registry.scrape());
    return utf8(out.toByteArray());
  }

  private HttpResponse<byte[]> get(String path, String accept, String encoding) throws Exception {
    return get(server, path, accept, encoding);
  }

  private HttpResponse<byte[]> get(WebServer on, String path) throws Exception {
    return get(on, path, null, null);
  }

  private HttpResponse<byte[]> get(WebServer on, String path, String accept, String encoding)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + on.address().getPort() + path));
    if (accept != null) {
      b.header("Accept", accept);
    }
    if (encoding != null) {
      b.header("Accept-Encoding", encoding);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
