package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.it.MetricsText;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * --no-metrics.jvm drops the jvm_* families and keeps process_*, which alerts on the exporter's
 * memory use.
 */
class JvmMetricsSwitchTest {

  @Test
  void jvmFamiliesByDefaultAndNoneWithTheSwitchOffWhileProcessFamiliesStay() throws Exception {
    try (FakeContainerd containerd = new FakeContainerd()) {
      containerd.start();
      Set<String> on;
      try (InProcessExporter exporter =
          InProcessExporter.start(containerd.socket(), "--poll.interval=1h")) {
        on = prefixed(exporter.scrape());
      }
      Set<String> off;
      try (InProcessExporter exporter =
          InProcessExporter.start(containerd.socket(), "--poll.interval=1h", "--no-metrics.jvm")) {
        off = prefixed(exporter.scrape());
      }
      assertTrue(on.stream().anyMatch(n -> n.startsWith("jvm_memory_")), "jvm_* by default: " + on);
      assertTrue(on.contains("process_resident_memory_bytes"), on.toString());
      assertEquals(Set.of(), filter(off, "jvm_"), "no jvm_* with --no-metrics.jvm");
      assertEquals(filter(on, "process_"), filter(off, "process_"), "process_* either way");
    }
  }

  private static Set<String> prefixed(MetricsText m) {
    Set<String> names = new TreeSet<>();
    m.samples()
        .forEach(
            s -> {
              if (s.name().startsWith("jvm_") || s.name().startsWith("process_")) {
                names.add(s.name());
              }
            });
    return names;
  }

  private static Set<String> filter(Set<String> names, String prefix) {
    Set<String> out = new TreeSet<>();
    names.stream().filter(n -> n.startsWith(prefix)).forEach(out::add);
    return out;
  }
}
