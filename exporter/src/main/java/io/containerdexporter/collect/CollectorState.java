package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * How one collector fared in the latest poll, and the families it last rendered successfully.
 *
 * @param success the latest run finished in time without error
 * @param duration how long the latest run took (the timeout, if it overran)
 * @param lastSuccess when a run last succeeded; empty if never
 * @param failures runs that failed since the exporter started
 * @param families from the last successful run (stale when {@code success} is false)
 */
public record CollectorState(
    String name,
    boolean success,
    Duration duration,
    Optional<Instant> lastSuccess,
    long failures,
    List<Family> families) {

  public CollectorState {
    families = List.copyOf(families);
  }

  static CollectorState neverRun(String name) {
    return new CollectorState(name, false, Duration.ZERO, Optional.empty(), 0, List.of());
  }

  CollectorState succeeded(Duration took, Instant at, List<Family> rendered) {
    return new CollectorState(name, true, took, Optional.of(at), failures, rendered);
  }

  CollectorState failed(Duration took) {
    return new CollectorState(name, false, took, lastSuccess, failures + 1, families);
  }
}
