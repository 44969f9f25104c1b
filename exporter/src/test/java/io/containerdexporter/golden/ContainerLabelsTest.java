package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.containerdexporter.containerd.api.events.ContainerUpdate;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.Await;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.it.Promtool;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * --labels.container-labels: allowed container labels on every per-container series, others never.
 */
class ContainerLabelsTest {

  @Test
  void allowedContainerLabelsAreOnThePerContainerSeries() throws Exception {
    try (FakeContainerd containerd = new FakeContainerd()) {
      containerd
          .namespace("default")
          .container(
              "web",
              "nginx",
              Map.of("app", "web", "team.name", "shop", "secret", "x"),
              FakeNamespace.spec("/default/web", Map.of()))
          .task("web", 10, Status.RUNNING)
          .container("plain", "nginx", Map.of(), FakeNamespace.spec("/default/plain", Map.of()))
          .task("plain", 11, Status.RUNNING);
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(),
              "--poll.interval=1h",
              "--labels.container-labels=app|team\\..*")) {
        MetricsText m =
            Await.until(
                Duration.ofSeconds(10),
                "the per-container series",
                exporter::scrape,
                s -> s.samples("container_oom_events_total").size() == 2);
        MetricsText.Sample web =
            m.samples("container_oom_events_total").stream()
                .filter(s -> s.labels().get("name").equals("web"))
                .findFirst()
                .orElseThrow();
        assertEquals("web", web.labels().get("container_label_app"));
        assertEquals("shop", web.labels().get("container_label_team_name"));
        assertFalse(web.labels().containsKey("container_label_secret"), "not allowed");
        MetricsText.Sample plain =
            m.samples("container_oom_events_total").stream()
                .filter(s -> s.labels().get("name").equals("plain"))
                .findFirst()
                .orElseThrow();
        assertFalse(
            plain.labels().keySet().stream().anyMatch(k -> k.startsWith("container_label_")));
        Promtool.Result lint = Promtool.checkMetrics(m.text());
        assertEquals("", lint.output().strip());

        // Labels are not frozen: containerd announces the change with /containers/update, the
        // series follow it.
        containerd
            .namespace("default")
            .container(
                "web",
                "nginx",
                Map.of("app", "web-v2", "team.name", "shop"),
                FakeNamespace.spec("/default/web", Map.of()));
        containerd.publish(
            "default",
            "/containers/update",
            ContainerUpdate.newBuilder()
                .setId("web")
                .setImage("nginx")
                .putLabels("app", "web-v2")
                .build());
        MetricsText after =
            Await.until(
                Duration.ofSeconds(5),
                "the new label value",
                exporter::scrape,
                s ->
                    s.samples("container_oom_events_total").stream()
                        .anyMatch(x -> "web-v2".equals(x.labels().get("container_label_app"))));
        assertEquals(
            2,
            after.samples("container_oom_events_total").size(),
            "the series moved, none was added");
      }
    }
  }
}
