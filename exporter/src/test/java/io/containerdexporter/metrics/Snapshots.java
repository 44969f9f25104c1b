package io.containerdexporter.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/** For tests that read what a collector published through client_java's snapshots. */
public final class Snapshots {

  private Snapshots() {}

  public static List<MetricSnapshot> of(List<? extends Family> families) {
    return families.stream().map(Family::snapshot).toList();
  }
}
