package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The immutable result of the latest poll round, published whole. {@code rendered} is what a scrape
 * serves, computed once per round: a scrape only hands it over.
 */
public record PollResult(
    Map<String, CollectorState> collectors, Duration pollDuration, List<Family> rendered) {

  public PollResult {
    collectors = Map.copyOf(collectors);
    rendered = List.copyOf(rendered);
  }
}
