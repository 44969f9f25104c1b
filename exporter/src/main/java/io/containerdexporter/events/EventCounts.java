package io.containerdexporter.events;

import io.containerdexporter.index.ContainerIdentity;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An immutable copy of {@link EventState}'s counters, which the exposition renders. */
public record EventCounts(
    List<ContainerSeries> containers,
    Map<EventState.RestartKey, Long> restarts,
    Map<List<String>, Long> events,
    Map<List<String>, Long> imageEvents,
    Map<String, Long> decodeErrors,
    Map<String, Long> recovered,
    boolean streamUp,
    long reconnects,
    Optional<Instant> lastEvent) {

  public record ContainerSeries(
      ContainerIdentity identity,
      long ooms,
      long starts,
      Map<String, Long> exitsByCode,
      Optional<Integer> lastExitCode,
      Optional<Instant> lastExitAt) {}
}
