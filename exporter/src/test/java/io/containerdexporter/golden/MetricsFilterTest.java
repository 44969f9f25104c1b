package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.it.MetricsText;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * --metrics.exclude: an excluded family is neither declared nor served, and a collector left with
 * no wanted family is not run at all (it has no collector_success series).
 */
class MetricsFilterTest {

  @Test
  void excludedFamiliesAreGoneAndACollectorWithNoneLeftDoesNotRun() throws Exception {
    try (FakeContainerd containerd = new FakeContainerd()) {
      containerd.namespace("default"); // so the inventory families have a series
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(),
              "--poll.interval=1h",
              "--metrics.exclude=container_(processes|file_descriptors|sockets|ulimits_soft)|containerd_containers")) {
        MetricsText m =
            exporter.awaitScrape(
                Duration.ofSeconds(20),
                "the first poll",
                s -> InProcessExporter.success(s, "tasks") == 1.0);
        Set<String> names = new TreeSet<>();
        m.samples().forEach(s -> names.add(s.name()));
        assertTrue(names.contains("containerd_up"), names.toString());
        assertTrue(names.contains("containerd_tasks"), "others stay: " + names);
        assertTrue(!names.contains("containerd_containers"), names.toString());
        assertTrue(!m.text().contains("container_processes"), "not even a HELP line");
        assertEquals(
            Optional.empty(),
            m.value("containerd_exporter_collector_success", "collector", "processes"),
            "the processes collector had nothing left to compute: it does not run");
        assertEquals(
            Optional.empty(),
            m.value("containerd_exporter_collector_success", "collector", "containers"));
        assertEquals(
            Optional.of(1.0),
            m.value("containerd_exporter_collector_success", "collector", "tasks"));
      }
    }
  }
}
