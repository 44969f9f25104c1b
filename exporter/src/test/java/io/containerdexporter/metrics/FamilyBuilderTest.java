package io.containerdexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import org.junit.jupiter.api.Test;

class FamilyBuilderTest {

  @Test
  void valuesThenOptionalNameValuePairs() {
    FamilySpec spec = FamilySpec.gauge("g", "h", "id");
    GaugeSnapshot g =
        (GaugeSnapshot)
            spec.builder().add(1, "a").add(2, "b", "container_label_app", "web").build().snapshot();
    var withLabel =
        g.getDataPoints().stream()
            .filter(p -> p.getLabels().get("id").equals("b"))
            .findFirst()
            .orElseThrow();
    var without =
        g.getDataPoints().stream()
            .filter(p -> p.getLabels().get("id").equals("a"))
            .findFirst()
            .orElseThrow();
    assertEquals("web", withLabel.getLabels().get("container_label_app"));
    assertEquals(1, without.getLabels().size());
    assertThrows(IllegalArgumentException.class, () -> spec.builder().add(1, "a", "dangling"));
    assertThrows(IllegalArgumentException.class, () -> spec.builder().add(1));
  }
}
