package io.containerdexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ExporterCollectorTest {

  private static final FamilySpec GOOD = FamilySpec.gauge("good", "always renders");
  private static final FamilySpec BAD = FamilySpec.gauge("bad", "always throws");

  private static MetricSource source(FamilySpec spec, boolean fails) {
    return new MetricSource() {
      @Override
      public List<FamilySpec> families() {
        return List.of(spec);
      }

      @Override
      public List<Family> render() {
        if (fails) {
          throw new IllegalStateException("boom");
        }
        return List.of(spec.builder().add(1).build());
      }
    };
  }

  @Test
  void aFailingSourceLosesOnlyItsFamiliesAndIsCounted() {
    Map<String, MetricSource> sources = new LinkedHashMap<>();
    sources.put("good", source(GOOD, false));
    sources.put("bad", source(BAD, true));
    ExporterCollector collector = new ExporterCollector(sources);

    collector.collect();
    MetricSnapshots second = collector.collect();
    Set<String> names =
        second.stream().map(s -> s.getMetadata().getName()).collect(Collectors.toSet());
    assertEquals(Set.of("good", "containerd_exporter_render_errors"), names);
    CounterSnapshot errors =
        (CounterSnapshot)
            second.stream()
                .filter(s -> s.getMetadata().getName().equals("containerd_exporter_render_errors"))
                .findFirst()
                .orElseThrow();
    Map<String, Double> bySource =
        errors.getDataPoints().stream()
            .collect(
                Collectors.toMap(
                    p -> p.getLabels().get("source"),
                    CounterSnapshot.CounterDataPointSnapshot::getValue));
    assertEquals(Map.of("good", 0.0, "bad", 2.0), bySource);
  }

  @Test
  void declaresEveryFamilyUpFrontAndRejectsDuplicates() {
    ExporterCollector collector = new ExporterCollector(Map.of("good", source(GOOD, false)));
    assertTrue(
        collector.getMetricFamilyDescriptors().stream()
            .anyMatch(d -> d.getPrometheusName().equals("good")));
    Map<String, MetricSource> twice = new LinkedHashMap<>();
    twice.put("a", source(GOOD, false));
    twice.put("b", source(GOOD, false));
    assertThrows(IllegalStateException.class, () -> new ExporterCollector(twice));
  }
}
