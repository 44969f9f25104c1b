package io.containerdexporter.collect;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The immutable result of the latest poll, published whole. {@code rendered} is what a scrape serves, computed once
 * per poll: a scrape only hands it over.
 */
public record PollSnapshot(Map<String, CollectorState> collectors, Duration pollDuration, List<MetricSnapshot> rendered) {

  public PollSnapshot {
    collectors = Map.copyOf(collectors);
    rendered = List.copyOf(rendered);
  }
}
