package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.services.snapshots.v1.Kind;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Snapshots;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WritableLayerCollectorTest {

  private final FakeContainerd containerd = new FakeContainerd();
  private final ContainerIndex index = new ContainerIndex();
  private ContainerdChannel channel;
  private ContainerdClient client;

  @BeforeEach
  void start() throws IOException {
    FakeNamespace ns = containerd.namespace("default");
    ns.container("web", "nginx", Map.of(), FakeNamespace.spec("/default/web", Map.of()))
        .task("web", 10, Status.RUNNING);
    ns.container("done", "nginx", Map.of(), FakeNamespace.spec("/default/done", Map.of()))
        .stoppedTask("done", 0, Instant.EPOCH);
    ns.snapshot("overlayfs", "web", "sha256:base", Kind.ACTIVE, 8192);
    ns.snapshot("overlayfs", "done", "sha256:base", Kind.ACTIVE, 4096);
    containerd.start();
    channel = new ContainerdChannel(containerd.socket());
    client = new ContainerdClient(channel, Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    channel.close();
    containerd.close();
  }

  private static Map<String, Double> values(List<MetricSnapshot> out, String family) {
    Map<String, Double> values = new TreeMap<>();
    out.stream()
        .filter(s -> s.getMetadata().getPrometheusName().equals(family))
        .findFirst()
        .ifPresent(
            s ->
                ((GaugeSnapshot) s)
                    .getDataPoints()
                    .forEach(
                        p ->
                            values.put(
                                p.getLabels().get("id")
                                    + "|"
                                    + p.getLabels().get("name")
                                    + "|"
                                    + p.getLabels().get("device"),
                                p.getValue())));
    return values;
  }

  @Test
  void liveTasksWritableLayerAndTheNodesFilesystems() {
    SnapshotUsage usage = new SnapshotUsage(client, Duration.ofMinutes(1));
    WritableLayerCollector collector =
        new WritableLayerCollector(
            index,
            usage,
            () ->
                List.of(
                    new WritableLayerCollector.NodeFilesystem(
                        "/dev/vda", "/", 600, 1000, 90, 100)));
    Instant poll = Instant.parse("2026-01-01T00:00:00Z");
    List<MetricSnapshot> out =
        Snapshots.of(collector.collect(Rounds.scope(client, index, poll, "default")));

    // The fake's snapshotter exports no root, so the device under the layer is unknown ("") and
    // there is no limit.
    assertEquals(
        Map.of("/default/web|web|", 8192.0, "/||/dev/vda", 600.0),
        values(out, "container_fs_usage_bytes"));
    assertEquals(Map.of("/||/dev/vda", 1000.0), values(out, "container_fs_limit_bytes"));

    // The same poll asks containerd once per snapshot, whichever collector asks first.
    int calls = containerd.calls("containerd.services.snapshots.v1.Snapshots/Usage");
    collector.collect(Rounds.scope(client, index, poll, "default"));
    assertEquals(calls, containerd.calls("containerd.services.snapshots.v1.Snapshots/Usage"));
  }
}
