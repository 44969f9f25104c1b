package io.containerdexporter.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the series of one family and builds its immutable client_java snapshot. Label values are
 * given in the order of the spec's label names, and their count is checked, so a series can't
 * silently miss a label.
 */
public final class FamilyBuilder {

  private record Series(Labels labels, double value) {}

  private final FamilySpec spec;
  private final String[] names;
  private final List<Series> series = new ArrayList<>();

  FamilyBuilder(FamilySpec spec) {
    this.spec = spec;
    this.names = spec.labelNames().toArray(String[]::new);
  }

  public FamilySpec spec() {
    return spec;
  }

  /**
   * Adds one series: one value per declared label name, in order, optionally followed by name/value
   * pairs of labels only some series have (cAdvisor's {@code container_label_*}, chosen per
   * container by configuration). For info families the value is ignored (it is always 1).
   */
  public FamilyBuilder add(double value, String... labelValues) {
    int extra = labelValues.length - names.length;
    if (extra < 0 || extra % 2 != 0) {
      throw new IllegalArgumentException(
          spec.name()
              + " takes labels "
              + spec.labelNames()
              + " (then name/value "
              + "pairs) but got "
              + labelValues.length
              + " values");
    }
    String[] allNames = names;
    String[] values = new String[names.length + extra / 2];
    if (extra > 0) {
      allNames = Arrays.copyOf(names, values.length);
      for (int i = 0; i < extra / 2; i++) {
        allNames[names.length + i] = labelValues[names.length + 2 * i];
        values[names.length + i] = labelValues[names.length + 2 * i + 1];
      }
    }
    for (int i = 0; i < names.length; i++) {
      values[i] = labelValues[i] == null ? "" : labelValues[i];
    }
    for (int i = names.length; i < values.length; i++) {
      values[i] = values[i] == null ? "" : values[i];
    }
    series.add(new Series(Labels.of(allNames, values), value));
    return this;
  }

  public boolean isEmpty() {
    return series.isEmpty();
  }

  public MetricSnapshot build() {
    return switch (spec.type()) {
      case GAUGE -> {
        GaugeSnapshot.Builder b =
            GaugeSnapshot.builder().name(spec.snapshotName()).help(spec.help()).unit(spec.unit());
        series.forEach(
            s ->
                b.dataPoint(
                    GaugeDataPointSnapshot.builder().labels(s.labels()).value(s.value()).build()));
        yield b.build();
      }
      case COUNTER -> {
        CounterSnapshot.Builder b =
            CounterSnapshot.builder().name(spec.snapshotName()).help(spec.help()).unit(spec.unit());
        series.forEach(
            s ->
                b.dataPoint(
                    CounterDataPointSnapshot.builder()
                        .labels(s.labels())
                        .value(s.value())
                        .build()));
        yield b.build();
      }
      case INFO -> {
        InfoSnapshot.Builder b = InfoSnapshot.builder().name(spec.snapshotName()).help(spec.help());
        series.forEach(
            s -> b.dataPoint(InfoDataPointSnapshot.builder().labels(s.labels()).build()));
        yield b.build();
      }
      default ->
          throw new IllegalStateException(
              "unsupported metric type " + spec.type() + " for " + spec.name());
    };
  }
}
