package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.pulls.PullStats;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Re-exports containerd's own node-level pull counters from its metrics endpoint ({@code
 * --containerd.metrics-url}), so a node whose log the exporter can't read still alerts. Read in
 * Prometheus' protobuf exposition format (containerd's promhttp handler negotiates it) and parsed
 * with client_java's generated classes: no regex over the text format.
 */
public final class ContainerdMetricsCollector implements Collector {

  static final String ACCEPT_PROTOBUF =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited";

  /** containerd 1.7's CRI server, then 2.x's (sbserver naming). */
  static final Set<String> PULL_COUNTERS =
      Set.of("containerd_cri_image_pulls_total", "containerd_cri_sandboxed_image_pulls_total");

  static final Set<String> IN_PROGRESS_GAUGES =
      Set.of(
          "containerd_cri_in_progress_image_pulls_total",
          "containerd_cri_in_progress_image_pulls",
          "containerd_cri_sandboxed_in_progress_image_pulls_total",
          "containerd_cri_sandboxed_in_progress_image_pulls");

  /** Kubelet's CRI service names (v1, and v1alpha2 which 1.6/1.7 still serve). */
  static final Set<String> IMAGE_SERVICES =
      Set.of("runtime.v1.ImageService", "runtime.v1alpha2.ImageService");

  static final FamilySpec NODE_PULLS =
      FamilySpec.counter(
          "containerd_node_image_pulls_total",
          "CRI image pulls by status (success, failure) as containerd counts them, without an image label: its "
              + "containerd_cri_image_pulls_total (1.7) or containerd_cri_sandboxed_image_pulls_total (2.x). Absent on "
              + "1.6.",
          "containerd_namespace",
          "status");
  static final FamilySpec NODE_PULL_REQUESTS =
      FamilySpec.counter(
          "containerd_node_image_pull_requests_total",
          "CRI PullImage calls containerd answered, by gRPC code (OK, NotFound, Unknown, …): its "
              + "grpc_server_handled_total for ImageService/PullImage (every version, 1.6 included).",
          "containerd_namespace",
          "grpc_code");

  private final URI url;
  private final Duration timeout;
  private final PullStats pulls;
  private final HttpClient http;

  public ContainerdMetricsCollector(URI url, Duration timeout, PullStats pulls) {
    this.url = url;
    this.timeout = timeout;
    this.pulls = pulls;
    this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
  }

  @Override
  public String name() {
    return "containerd-metrics";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(NODE_PULLS, NODE_PULL_REQUESTS);
  }

  @Override
  public List<Family> collect(PollScope scope) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(url).timeout(timeout).header("Accept", ACCEPT_PROTOBUF).build();
    HttpResponse<InputStream> response =
        http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      if (response.statusCode() != 200) {
        throw new IOException(url + " answered HTTP " + response.statusCode());
      }
      String type = response.headers().firstValue("Content-Type").orElse("");
      if (!type.startsWith("application/vnd.google.protobuf")) {
        throw new IOException(
            url + " did not answer in Prometheus' protobuf format (Content-Type " + type + ")");
      }
      return render(NodePulls.read(body), pulls);
    }
  }

  /** The counters this collector keeps, summed over the series containerd splits them into. */
  record NodePulls(
      Map<String, Double> byStatus, Map<String, Double> byGrpcCode, Optional<Double> inProgress) {

    static NodePulls read(InputStream in) throws IOException {
      Map<String, Double> byStatus = new TreeMap<>();
      Map<String, Double> byCode = new TreeMap<>();
      Optional<Double> inProgress = Optional.empty();
      Metrics.MetricFamily family;
      while ((family = Metrics.MetricFamily.parseDelimitedFrom(in)) != null) {
        String name = family.getName();
        for (Metrics.Metric m : family.getMetricList()) {
          Map<String, String> labels = new TreeMap<>();
          m.getLabelList().forEach(l -> labels.put(l.getName(), l.getValue()));
          if (PULL_COUNTERS.contains(name) || PULL_COUNTERS.contains(name + "_total")) {
            byStatus.merge(labels.getOrDefault("status", ""), value(m), Double::sum);
          } else if (IN_PROGRESS_GAUGES.contains(name)) {
            inProgress = Optional.of(inProgress.orElse(0.0) + value(m));
          } else if (name.equals("grpc_server_handled_total")
              && "PullImage".equals(labels.get("grpc_method"))
              && IMAGE_SERVICES.contains(labels.get("grpc_service"))) {
            byCode.merge(labels.getOrDefault("grpc_code", ""), value(m), Double::sum);
          }
        }
      }
      return new NodePulls(byStatus, byCode, inProgress);
    }

    private static double value(Metrics.Metric m) {
      if (m.hasCounter()) {
        return m.getCounter().getValue();
      }
      if (m.hasGauge()) {
        return m.getGauge().getValue();
      }
      return m.hasUntyped() ? m.getUntyped().getValue() : 0;
    }
  }

  static List<Family> render(NodePulls node, PullStats pulls) {
    pulls.nodeInProgress(node.inProgress());
    FamilyBuilder byStatus = NODE_PULLS.builder();
    node.byStatus().forEach((status, n) -> byStatus.add(n, PullStats.CRI_NAMESPACE, status));
    FamilyBuilder byCode = NODE_PULL_REQUESTS.builder();
    node.byGrpcCode().forEach((code, n) -> byCode.add(n, PullStats.CRI_NAMESPACE, code));
    return List.of(byStatus.build(), byCode.build());
  }
}
