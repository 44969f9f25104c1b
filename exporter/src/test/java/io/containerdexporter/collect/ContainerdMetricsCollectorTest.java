package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.pulls.PullStats;
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** containerd's /v1/metrics in the protobuf format, as 1.6, 1.7 and 2.x name their pull series. */
class ContainerdMetricsCollectorTest {

  private static Metrics.Metric counter(double value, String... labels) {
    Metrics.Metric.Builder m = Metrics.Metric.newBuilder();
    for (int i = 0; i < labels.length; i += 2) {
      m.addLabel(Metrics.LabelPair.newBuilder().setName(labels[i]).setValue(labels[i + 1]));
    }
    return m.setCounter(Metrics.Counter.newBuilder().setValue(value)).build();
  }

  /** One grpc_server_handled_total series. */
  private static Metrics.Metric handled(double value, String service, String method, String code) {
    return counter(value, "grpc_service", service, "grpc_method", method, "grpc_code", code);
  }

  private static Metrics.MetricFamily family(String name, Metrics.Metric... metrics) {
    Metrics.MetricFamily.Builder f =
        Metrics.MetricFamily.newBuilder().setName(name).setType(Metrics.MetricType.COUNTER);
    for (Metrics.Metric m : metrics) {
      f.addMetric(m);
    }
    return f.build();
  }

  private static ContainerdMetricsCollector.NodePulls read(Metrics.MetricFamily... families)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Metrics.MetricFamily f : families) {
      f.writeDelimitedTo(out);
    }
    return ContainerdMetricsCollector.NodePulls.read(new ByteArrayInputStream(out.toByteArray()));
  }

  @Test
  void grpcPullImageCallsByCodeSummedOverBothCriVersions() throws IOException {
    ContainerdMetricsCollector.NodePulls node =
        read(
            family(
                "grpc_server_handled_total",
                handled(3, "runtime.v1.ImageService", "PullImage", "OK"),
                handled(1, "runtime.v1alpha2.ImageService", "PullImage", "OK"),
                handled(2, "runtime.v1.ImageService", "PullImage", "NotFound"),
                handled(9, "runtime.v1.ImageService", "ListImages", "OK"),
                handled(5, "containerd.services.images.v1.Images", "PullImage", "OK")));
    assertEquals(Map.of("OK", 4.0, "NotFound", 2.0), node.byGrpcCode());
    assertEquals(Map.of(), node.byStatus(), "1.6 has no CRI pull counter");
    assertEquals(Optional.empty(), node.inProgress());
  }

  @Test
  void criPullCountersOf17And2xAndTheInProgressGauge() throws IOException {
    Metrics.MetricFamily inProgress =
        Metrics.MetricFamily.newBuilder()
            .setName("containerd_cri_sandboxed_in_progress_image_pulls")
            .setType(Metrics.MetricType.GAUGE)
            .addMetric(Metrics.Metric.newBuilder().setGauge(Metrics.Gauge.newBuilder().setValue(2)))
            .build();
    ContainerdMetricsCollector.NodePulls node =
        read(
            family(
                "containerd_cri_sandboxed_image_pulls_total",
                counter(7, "status", "success"),
                counter(2, "status", "failure")),
            inProgress);
    assertEquals(Map.of("success", 7.0, "failure", 2.0), node.byStatus());
    assertEquals(Optional.of(2.0), node.inProgress());
    PullStats stats = new PullStats(1);
    ContainerdMetricsCollector.render(node, stats);
    assertEquals(Map.of("k8s.io", 2L), stats.view().inProgress());
    assertEquals(
        Map.of("success", 7.0),
        read(family("containerd_cri_image_pulls_total", counter(7, "status", "success")))
            .byStatus());
  }
}
