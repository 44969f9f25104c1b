package io.containerdexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import org.junit.jupiter.api.Test;

class FamilySpecTest {

  @Test
  void enforcesPrometheusNamingAtDeclaration() {
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.counter("x_events", "h"));
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.gauge("x_total", "h"));
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.info("x", "h"));
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.gauge("x", " "));
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.gauge("x-y", "h"));
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.gauge("x_size", Unit.BYTES, "h"));
    assertThrows(IllegalArgumentException.class, () -> FamilySpec.gauge("x", "h", "__reserved"));
  }

  @Test
  void snapshotNamesDropTheSuffixClientJavaAppends() {
    assertEquals("a_events", FamilySpec.counter("a_events_total", "h").snapshotName());
    assertEquals("a_build", FamilySpec.info("a_build_info", "h").snapshotName());
    assertEquals(
        "a_seconds", FamilySpec.counter("a_seconds_total", Unit.SECONDS, "h").snapshotName());
    assertEquals(MetricType.COUNTER, FamilySpec.counter("a_total", "h").descriptor().getType());
  }

  @Test
  void theBuilderChecksLabelCounts() {
    FamilySpec spec = FamilySpec.counter("a_total", "h", "x", "y");
    assertThrows(IllegalArgumentException.class, () -> spec.builder().add(1, "only-one"));
    CounterSnapshot snapshot =
        (CounterSnapshot) spec.builder().add(3, "1", null).build().snapshot();
    assertEquals(
        List.of("1", ""),
        List.of(
            snapshot.getDataPoints().get(0).getLabels().get("x"),
            snapshot.getDataPoints().get(0).getLabels().get("y")));
    assertEquals(3.0, snapshot.getDataPoints().get(0).getValue());
  }
}
