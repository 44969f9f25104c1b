package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.SandboxOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * One collector failing against a real containerd: here the daemon runs without its snapshots
 * service (a plugin an operator can disable), so Snapshots.List answers UNIMPLEMENTED. The scrape
 * still answers 200 and everything else is there.
 */
class CollectorFailureIT {

  @Test
  void aFailingCollectorFailsAloneAndTheScrapeIsServed() {
    SandboxOptions noSnapshotsService =
        SandboxOptions.builder()
            .extraConfigToml("disabled_plugins = [\"io.containerd.grpc.v1.snapshots\"]")
            .build();
    try (ContainerdSandbox containerd = ContainerdSandbox.start(noSnapshotsService);
        ExporterProcess exporter =
            ExporterProcess.start(containerd.socket(), "--poll.interval=2s")) {
      containerd.createNamespace("fail-a");
      // Awaited rather than taken from the first round: on a loaded machine one round may overrun
      // --poll.timeout.
      MetricsText m =
          Await.until(
              Duration.ofSeconds(30),
              "a poll that saw namespace fail-a, the others succeeding",
              exporter::scrape,
              s ->
                  s.value("containerd_containers", "containerd_namespace", "fail-a").isPresent()
                      && java.util.stream.Stream.of("containers", "tasks", "images", "content")
                          .allMatch(
                              c ->
                                  s.value("containerd_exporter_collector_success", "collector", c)
                                      .equals(Optional.of(1.0))));

      assertEquals(
          Optional.of(0.0),
          m.value("containerd_exporter_collector_success", "collector", "snapshots"));
      for (String ok : new String[] {"containers", "tasks", "images", "content"}) {
        assertEquals(
            Optional.of(1.0),
            m.value("containerd_exporter_collector_success", "collector", ok),
            ok);
      }
      assertTrue(
          m.value("containerd_exporter_collector_failures_total", "collector", "snapshots")
                  .orElseThrow()
              >= 1);
      assertEquals(
          Optional.of(0.0),
          m.value(
              "containerd_exporter_collector_last_success_timestamp_seconds",
              "collector",
              "snapshots"));
      assertTrue(
          m.samples("containerd_snapshots").isEmpty(), "never succeeded, so nothing stale to show");
      assertEquals(
          6,
          m.samples("containerd_tasks").stream()
              .filter(s -> s.labels().get("containerd_namespace").equals("fail-a"))
              .count());
      assertEquals(Optional.of(1.0), m.value("containerd_up"));

      HttpResponse<String> raw = exporter.get("/metrics");
      assertEquals(200, raw.statusCode());
      assertFalse(
          raw.body().contains("Exception") || raw.body().contains("\tat "),
          "no stack trace in the body");
      assertTrue(exporter.log().contains("collector snapshots failed"), exporter.log());
    }
  }
}
