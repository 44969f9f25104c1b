package io.containerdexporter.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.Objects;

/** A family client_java built (a histogram): encoded by client_java's writers. */
public record SnapshotFamily(MetricSnapshot snapshot) implements Family {

  public SnapshotFamily {
    Objects.requireNonNull(snapshot, "snapshot");
  }

  @Override
  public String name() {
    return snapshot.getMetadata().getName();
  }

  @Override
  public int size() {
    return snapshot.getDataPoints().size();
  }
}
