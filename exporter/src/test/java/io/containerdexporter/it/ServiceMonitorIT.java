package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.containerdexporter.chart.ChartUnderTest;
import io.containerdexporter.chart.KubernetesObjects;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's ServiceMonitor, as the Prometheus Operator turns it into a scrape config, run by the
 * real Prometheus: our series keep their own {@code namespace}/{@code pod}/{@code container} (the
 * scraped containers', not the exporter pod's) and get {@code node} from the exporter pod's node. A
 * second job, the same but without {@code honor_labels}, shows what the setting prevents: the
 * labels renamed {@code exported_*}.
 *
 * <p>The target serves a fixed exposition of one series with a container's Kubernetes identity:
 * what is under test is Prometheus' handling of the rendered settings, not the exporter (whose
 * labels KubernetesContainersIT holds against real CRI pods).
 */
class ServiceMonitorIT {

  private static final String SERIES =
      """
      # HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.
      # TYPE container_cpu_usage_seconds_total counter
      container_cpu_usage_seconds_total{container="app",containerd_namespace="k8s.io",id="/kubepods/pod-1/c1",\
      image="docker.io/library/busybox:latest",name="c1",namespace="shop",pod="web-0"} 1.5
      """;

  @Test
  void theRenderedServiceMonitorKeepsOurLabelsAndAddsNode(@TempDir Path dir) throws IOException {
    ServiceMonitor monitor =
        KubernetesObjects.parse(
                ChartUnderTest.copyInto(dir)
                    .template(Path.of("src/test/resources/chart/everything-enabled.yaml")))
            .one(ServiceMonitor.class);
    Endpoint endpoint = monitor.getSpec().getEndpoints().get(0);
    Endpoint withoutHonorLabels =
        new io.fabric8.openshift.api.model.monitoring.v1.EndpointBuilder(endpoint)
            .withHonorLabels(false)
            .build();

    HttpServer target = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    target.createContext(
        endpoint.getPath(),
        exchange -> {
          byte[] body = SERIES.getBytes(StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    target.start();
    String address = "127.0.0.1:" + target.getAddress().getPort();
    String scrapeConfigs =
        OperatorScrapeConfig.of(
                "serviceMonitor/monitoring/containerd-exporter/0",
                endpoint,
                address,
                new OperatorScrapeConfig.DiscoveredPod(
                    ChartUnderTest.NAMESPACE,
                    "containerd-exporter",
                    "containerd-exporter-x7k2p",
                    "exporter",
                    "node-a"))
            + OperatorScrapeConfig.of(
                "contrast-without-honor-labels",
                withoutHonorLabels,
                address,
                new OperatorScrapeConfig.DiscoveredPod(
                    ChartUnderTest.NAMESPACE, "contrast", "contrast-q9z4m", "exporter", "node-b"));
    try (PrometheusServer prometheus =
        PrometheusServer.withScrapeConfigs(scrapeConfigs, "up == 1", 2, Duration.ofSeconds(30))) {
      JsonNode ours =
          Await.until(
              Duration.ofSeconds(30),
              "the series scraped through the chart's ServiceMonitor",
              () ->
                  prometheus.query(
                      "container_cpu_usage_seconds_total{service=\"containerd-exporter\"}"),
              result -> result.size() == 1);
      JsonNode labels = ours.get(0).get("metric");
      assertEquals("shop", labels.path("namespace").asText(), labels.toString());
      assertEquals("web-0", labels.path("pod").asText(), labels.toString());
      assertEquals("app", labels.path("container").asText(), labels.toString());
      assertEquals("node-a", labels.path("node").asText(), labels.toString());
      assertFalse(labels.has("exported_namespace"), labels.toString());
      assertEquals(1.5, ours.get(0).get("value").get(1).asDouble());

      JsonNode renamed =
          Await.until(
                  Duration.ofSeconds(30),
                  "the series scraped without honor_labels",
                  () -> prometheus.query("container_cpu_usage_seconds_total{service=\"contrast\"}"),
                  result -> result.size() == 1)
              .get(0)
              .get("metric");
      assertEquals(
          ChartUnderTest.NAMESPACE, renamed.path("namespace").asText(), renamed.toString());
      assertEquals("shop", renamed.path("exported_namespace").asText(), renamed.toString());
      assertEquals("web-0", renamed.path("exported_pod").asText(), renamed.toString());
    } finally {
      target.stop(0);
    }
  }
}
