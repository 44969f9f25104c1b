package io.containerdexporter.bench;

import java.util.Arrays;
import java.util.List;

/** A sample of measurements, summarised by rank (nearest-rank percentiles), never by mean alone. */
record Distribution(double[] sorted) {

  static Distribution of(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return new Distribution(v);
  }

  int count() {
    return sorted.length;
  }

  double percentile(double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  double median() {
    return percentile(50);
  }

  double min() {
    return sorted.length == 0 ? Double.NaN : sorted[0];
  }

  double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }

  /** "median (min–max)", the figure and how noisy it was. */
  String withSpread(String format) {
    return String.format(format, median())
        + " ("
        + String.format(format, min())
        + "–"
        + String.format(format, max())
        + ")";
  }
}
