package io.containerdexporter.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prometheus (Debian's package, the one promtool comes from) scraping one exporter every
 * second, with its TSDB in a temp dir of its own. Tests ask it questions only over its HTTP API,
 * the way Grafana does.
 */
public final class PrometheusServer implements AutoCloseable {

  /** The job name the scrape config uses; dashboards select on it only through {@code up}. */
  static final String JOB = "containerd-exporter";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final int port;
  private final Path dir;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, int port, Path dir) {
    this.process = process;
    this.port = port;
    this.dir = dir;
  }

  static Path binary() {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(d, "prometheus");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "prometheus not found on PATH: apt-get install prometheus (scripts/test does)");
  }

  /**
   * Starts Prometheus scraping 127.0.0.1:{@code exporterPort}/metrics; returns once it is ready and
   * the target up.
   */
  static PrometheusServer scraping(int exporterPort, Duration timeout) {
    return scraping(exporterPort, timeout, List.of());
  }

  /**
   * The same, evaluating the given rule files every second; {@code ruleFiles} maps each file's name
   * to its content.
   */
  static PrometheusServer scraping(
      int exporterPort, Duration timeout, List<Map.Entry<String, String>> ruleFiles) {
    return withScrapeConfigs(
        """
        - job_name: %s
          static_configs:
            - targets: ['127.0.0.1:%d']
        """
            .formatted(JOB, exporterPort),
        "up{job=\"" + JOB + "\"} == 1",
        1,
        timeout,
        ruleFiles);
  }

  /**
   * Starts Prometheus with these {@code scrape_configs} (a YAML list); returns once it is ready and
   * {@code upQuery} returns {@code targets} series.
   */
  public static PrometheusServer withScrapeConfigs(
      String scrapeConfigs, String upQuery, int targets, Duration timeout) {
    return withScrapeConfigs(scrapeConfigs, upQuery, targets, timeout, List.of());
  }

  private static PrometheusServer withScrapeConfigs(
      String scrapeConfigs,
      String upQuery,
      int targets,
      Duration timeout,
      List<Map.Entry<String, String>> ruleFiles) {
    Path dir;
    try {
      dir = Files.createTempDirectory("prometheus-it-");
      StringBuilder rules = new StringBuilder(ruleFiles.isEmpty() ? "" : "rule_files:\n");
      for (Map.Entry<String, String> file : ruleFiles) {
        Files.writeString(dir.resolve(file.getKey()), file.getValue());
        rules.append("  - ").append(dir.resolve(file.getKey())).append('\n');
      }
      // 1 s scrape and evaluation: the test has seconds, not minutes, to see a rate.
      Files.writeString(
          dir.resolve("prometheus.yml"),
          """
          global:
            scrape_interval: 1s
            scrape_timeout: 1s
            evaluation_interval: 1s
          scrape_configs:
          """
              + scrapeConfigs.indent(2)
              + rules);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    int port = ExporterProcess.freePort();
    Process process;
    try {
      process =
          new ProcessBuilder(
                  binary().toString(),
                  "--config.file=" + dir.resolve("prometheus.yml"),
                  "--storage.tsdb.path=" + dir.resolve("data"),
                  "--web.listen-address=127.0.0.1:" + port,
                  "--log.level=warn")
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("prometheus.log").toFile())
              .start();
    } catch (IOException e) {
      deleteRecursively(dir);
      throw new UncheckedIOException(e);
    }
    PrometheusServer server = new PrometheusServer(process, port, dir);
    try {
      Await.until(
          timeout,
          "Prometheus to answer /-/ready",
          () -> {
            if (!process.isAlive()) {
              throw new IllegalStateException(
                  "prometheus exited with " + process.exitValue() + ":\n" + server.log());
            }
            return server.get("/-/ready").statusCode();
          },
          code -> code == 200);
      Await.until(
          timeout,
          "the targets to be up: " + upQuery,
          () -> server.query(upQuery),
          result -> result.size() == targets);
      return server;
    } catch (RuntimeException | AssertionError e) {
      String log = server.log();
      server.close();
      throw new AssertionError(e.getMessage() + "\nprometheus log:\n" + log, e);
    }
  }

  /**
   * An instant query; returns {@code data.result} (for a vector: one {metric, value} object per
   * series).
   */
  public JsonNode query(String promql) {
    return data(
            "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8),
            "query " + promql)
        .path("result");
  }

  /** A range query over the last {@code range}, one point per {@code step}: {@code data.result}. */
  JsonNode queryRange(String promql, Duration range, Duration step) {
    long end = System.currentTimeMillis() / 1000;
    return data(
            "/api/v1/query_range?query="
                + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + "&start="
                + (end - range.toSeconds())
                + "&end="
                + end
                + "&step="
                + step.toSeconds(),
            "range query " + promql)
        .path("result");
  }

  /** {@code /api/v1/alerts}: every pending and firing alert, with its labels and state. */
  JsonNode alerts() {
    return data("/api/v1/alerts", "alerts").path("alerts");
  }

  private JsonNode data(String path, String what) {
    HttpResponse<String> response = get(path);
    try {
      JsonNode body = JSON.readTree(response.body());
      if (response.statusCode() != 200 || !"success".equals(body.path("status").asText())) {
        // A PromQL syntax error is a bug in the test, not a missing series: fail loudly, never
        // retry it away.
        throw new IllegalArgumentException(
            what + " answered " + response.statusCode() + ": " + response.body());
      }
      return body.path("data");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpResponse<String> get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public String log() {
    try {
      return Files.readString(dir.resolve("prometheus.log"));
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * SIGTERM (Prometheus shuts down cleanly in well under a second), SIGKILL if not; then removes
   * its TSDB.
   */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    deleteRecursively(dir);
  }

  private static void deleteRecursively(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temp dir; the OS cleans /tmp
    }
  }
}
