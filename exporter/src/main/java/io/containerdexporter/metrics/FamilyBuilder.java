package io.containerdexporter.metrics;

import io.prometheus.metrics.model.registry.MetricType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the series of one family and builds its immutable {@link SeriesFamily}. Label values are
 * given in the order of the spec's label names, and their count is checked, so a series can't
 * silently miss a label. Adding a series keeps the caller's array (no copy, no sort): a collector
 * passes one array per container to all of its families, and the renderer encodes it once.
 */
public final class FamilyBuilder {

  private final FamilySpec spec;
  private final int declared;
  private final List<String[]> labelValues = new ArrayList<>();
  private final List<String[]> extraNames = new ArrayList<>();
  private double[] values = new double[16];

  FamilyBuilder(FamilySpec spec) {
    if (spec.type() != MetricType.GAUGE
        && spec.type() != MetricType.COUNTER
        && spec.type() != MetricType.INFO) {
      throw new IllegalStateException(
          "unsupported metric type " + spec.type() + " for " + spec.name());
    }
    this.spec = spec;
    this.declared = spec.labelNames().size();
  }

  public FamilySpec spec() {
    return spec;
  }

  /**
   * Adds one series: one value per declared label name, in order, optionally followed by name/value
   * pairs of labels only some series have (cAdvisor's {@code container_label_*}, chosen per
   * container by configuration). For info families the value is ignored (it is always 1). The array
   * is kept: don't change it afterwards.
   */
  public FamilyBuilder add(double value, String... labelValues) {
    int extra = labelValues.length - declared;
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
    String[] names = null;
    String[] own = labelValues;
    if (extra > 0) {
      names = new String[extra / 2];
      own = Arrays.copyOf(labelValues, declared + extra / 2);
      for (int i = 0; i < names.length; i++) {
        names[i] = labelValues[declared + 2 * i];
        own[declared + i] = labelValues[declared + 2 * i + 1];
      }
    }
    own = withoutNulls(own, own == labelValues);
    int n = this.labelValues.size();
    if (n == values.length) {
      values = Arrays.copyOf(values, n * 2);
    }
    values[n] = value;
    this.labelValues.add(own);
    this.extraNames.add(names);
    return this;
  }

  /** A null label value is an empty one, as client_java's Labels would reject null. */
  private static String[] withoutNulls(String[] values, boolean shared) {
    String[] out = values;
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        if (out == values && shared) {
          out = values.clone();
        }
        out[i] = "";
      }
    }
    return out;
  }

  public boolean isEmpty() {
    return labelValues.isEmpty();
  }

  /**
   * Families of at most this many series are sorted by their label values. Their series often come
   * from a hash map (counters by reason, by enum), whose order may differ from run to run; the
   * per-task families above it come in the round's task order (containerd's listing) and are left
   * as they are, as sorting them was most of a round's CPU (issue 16).
   */
  static final int SORTED_UP_TO = 256;

  public SeriesFamily build() {
    int n = labelValues.size();
    Integer[] order = new Integer[n];
    Arrays.setAll(order, i -> i);
    if (n > 1 && n <= SORTED_UP_TO) {
      Arrays.sort(order, (a, b) -> compare(a, b));
    }
    String[][] sortedValues = new String[n][];
    String[][] sortedExtraNames = new String[n][];
    double[] sortedValuesOfSeries = new double[n];
    for (int i = 0; i < n; i++) {
      sortedValues[i] = labelValues.get(order[i]);
      sortedExtraNames[i] = extraNames.get(order[i]);
      sortedValuesOfSeries[i] = values[order[i]];
    }
    return new SeriesFamily(spec, sortedValues, sortedExtraNames, sortedValuesOfSeries);
  }

  private int compare(int a, int b) {
    String[] x = labelValues.get(a);
    String[] y = labelValues.get(b);
    for (int i = 0; i < Math.min(x.length, y.length); i++) {
      int c = x[i].compareTo(y[i]);
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(x.length, y.length);
  }
}
