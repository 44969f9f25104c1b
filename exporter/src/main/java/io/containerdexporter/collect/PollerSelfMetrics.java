package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * The poller's own families, node_exporter style: did each collector work, how long did it take.
 */
final class PollerSelfMetrics {

  static final FamilySpec SUCCESS =
      FamilySpec.gauge(
          "containerd_exporter_collector_success",
          "1 if the collector's latest run succeeded within --poll.timeout, 0 if it failed (its families then carry the "
              + "values of its last successful run, for at most --poll.max-staleness, then they are left out).",
          "collector");
  static final FamilySpec DURATION =
      FamilySpec.gauge(
          "containerd_exporter_collector_duration_seconds",
          Unit.SECONDS,
          "How long the collector's latest run took.",
          "collector");
  static final FamilySpec LAST_SUCCESS =
      FamilySpec.gauge(
          "containerd_exporter_collector_last_success_timestamp_seconds",
          Unit.SECONDS,
          "Unix time of the collector's last successful run; 0 if it never succeeded.",
          "collector");
  static final FamilySpec FAILURES =
      FamilySpec.counter(
          "containerd_exporter_collector_failures_total",
          "Runs of the collector that failed or timed out.",
          "collector");
  static final FamilySpec POLL_DURATION =
      FamilySpec.gauge(
          "containerd_exporter_poll_duration_seconds",
          Unit.SECONDS,
          "How long the latest poll of all collectors took.");

  static final List<FamilySpec> FAMILIES =
      List.of(SUCCESS, DURATION, LAST_SUCCESS, FAILURES, POLL_DURATION);

  private PollerSelfMetrics() {}

  static List<Family> render(Collection<CollectorState> states, Duration pollDuration) {
    FamilyBuilder success = SUCCESS.builder();
    FamilyBuilder duration = DURATION.builder();
    FamilyBuilder lastSuccess = LAST_SUCCESS.builder();
    FamilyBuilder failures = FAILURES.builder();
    for (CollectorState s : states) {
      success.add(s.success() ? 1 : 0, s.name());
      duration.add(seconds(s.duration()), s.name());
      lastSuccess.add(s.lastSuccess().map(t -> t.toEpochMilli() / 1000.0).orElse(0.0), s.name());
      failures.add(s.failures(), s.name());
    }
    return List.of(
        success.build(),
        duration.build(),
        lastSuccess.build(),
        failures.build(),
        POLL_DURATION.builder().add(seconds(pollDuration)).build());
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
