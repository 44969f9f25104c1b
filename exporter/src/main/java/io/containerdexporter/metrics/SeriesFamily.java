package io.containerdexporter.metrics;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot.InfoDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Arrays;

/**
 * The series of one of our families, as the collector added them: label values in the spec's order
 * (followed by the values of per-series extra labels), and a value. Nothing is sorted or validated
 * here: building one costs an array per series, and the exposition writes it straight to bytes
 * (kube-state-metrics style). Series stay in the order they were added, unlike client_java's
 * snapshots, which sort by labels. The client_java snapshot is built only when something asks for
 * it.
 */
public final class SeriesFamily implements Family {

  private final FamilySpec spec;
  private final String[][] labelValues;
  private final String[][] extraNames;
  private final double[] values;
  private volatile MetricSnapshot snapshot;

  SeriesFamily(FamilySpec spec, String[][] labelValues, String[][] extraNames, double[] values) {
    this.spec = spec;
    this.labelValues = labelValues;
    this.extraNames = extraNames;
    this.values = values;
  }

  public FamilySpec spec() {
    return spec;
  }

  @Override
  public String name() {
    return spec.snapshotName();
  }

  @Override
  public int size() {
    return values.length;
  }

  /**
   * The label values of series {@code i}: one per declared label name, in order, then one per
   * {@link #extraLabelNames extra} label. The array may be shared with other series and families of
   * the same container (the renderer caches its encoding by identity); never change it.
   */
  public String[] labelValues(int i) {
    return labelValues[i];
  }

  /** The names of series {@code i}'s labels beyond the declared ones; empty when none. */
  public String[] extraLabelNames(int i) {
    String[] extra = extraNames[i];
    return extra == null ? NO_NAMES : extra;
  }

  public double value(int i) {
    return values[i];
  }

  /** The value of {@code name} in series {@code i}, or null when it has no such label. */
  public String label(int i, String name) {
    int declared = spec.labelNames().indexOf(name);
    if (declared >= 0) {
      return labelValues[i][declared];
    }
    String[] extra = extraLabelNames(i);
    for (int k = 0; k < extra.length; k++) {
      if (extra[k].equals(name)) {
        return labelValues[i][spec.labelNames().size() + k];
      }
    }
    return null;
  }

  private static final String[] NO_NAMES = {};

  @Override
  public MetricSnapshot snapshot() {
    MetricSnapshot s = snapshot;
    if (s == null) {
      s = buildSnapshot();
      snapshot = s;
    }
    return s;
  }

  private Labels labels(int i) {
    String[] names = spec.labelNames().toArray(String[]::new);
    String[] extra = extraLabelNames(i);
    if (extra.length > 0) {
      int declared = names.length;
      names = Arrays.copyOf(names, declared + extra.length);
      System.arraycopy(extra, 0, names, declared, extra.length);
    }
    // Labels.of sorts its arrays in place: give it a copy of the (shared) values.
    return Labels.of(names, labelValues[i].clone());
  }

  private MetricSnapshot buildSnapshot() {
    return switch (spec.type()) {
      case GAUGE -> {
        GaugeSnapshot.Builder b =
            GaugeSnapshot.builder().name(spec.snapshotName()).help(spec.help()).unit(spec.unit());
        for (int i = 0; i < values.length; i++) {
          b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(i)).value(values[i]).build());
        }
        yield b.build();
      }
      case COUNTER -> {
        CounterSnapshot.Builder b =
            CounterSnapshot.builder().name(spec.snapshotName()).help(spec.help()).unit(spec.unit());
        for (int i = 0; i < values.length; i++) {
          b.dataPoint(
              CounterDataPointSnapshot.builder().labels(labels(i)).value(values[i]).build());
        }
        yield b.build();
      }
      case INFO -> {
        InfoSnapshot.Builder b = InfoSnapshot.builder().name(spec.snapshotName()).help(spec.help());
        for (int i = 0; i < values.length; i++) {
          b.dataPoint(InfoDataPointSnapshot.builder().labels(labels(i)).build());
        }
        yield b.build();
      }
      default ->
          throw new IllegalStateException(
              "unsupported metric type " + spec.type() + " for " + spec.name());
    };
  }
}
