package io.containerdexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.util.ArrayList;
import java.util.List;
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

  @Test
  void smallFamiliesAreSortedByValuesLargeOnesKeepTheirOrder() {
    FamilySpec spec = FamilySpec.gauge("g", "h", "reason", "n");
    SeriesFamily small = spec.builder().add(1, "b", "1").add(2, "a", "2").add(3, "a", "1").build();
    assertEquals(List.of("a/1", "a/2", "b/1"), keys(small));

    FamilyBuilder large = spec.builder();
    for (int i = FamilyBuilder.SORTED_UP_TO; i >= 0; i--) {
      large.add(i, "r", Integer.toString(i));
    }
    SeriesFamily built = large.build();
    assertEquals(Integer.toString(FamilyBuilder.SORTED_UP_TO), built.labelValues(0)[1]);
    assertEquals("0", built.labelValues(built.size() - 1)[1]);
    assertEquals(FamilyBuilder.SORTED_UP_TO, built.value(0));
  }

  private static List<String> keys(SeriesFamily f) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < f.size(); i++) {
      out.add(f.label(i, "reason") + "/" + f.label(i, "n"));
    }
    return out;
  }
}
