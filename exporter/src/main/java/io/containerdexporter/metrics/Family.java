package io.containerdexporter.metrics;

import io.prometheus.metrics.model.snapshots.MetricSnapshot;

/**
 * One family as a source published it: immutable, rendered to bytes once per published state.
 * Either our own series ({@link SeriesFamily}, written straight to bytes) or a client_java snapshot
 * for the few families we don't build ourselves (a histogram).
 */
public sealed interface Family permits SeriesFamily, SnapshotFamily {

  /** client_java's name of the family: without {@code _total} or {@code _info}. */
  String name();

  /** How many series it has. */
  int size();

  /**
   * The family as a client_java snapshot, for what reads snapshots (client_java's handler for
   * {@code name[]=}, protobuf and OpenMetrics 2, tests). Built on first use and kept.
   */
  MetricSnapshot snapshot();

  static Family of(MetricSnapshot snapshot) {
    return new SnapshotFamily(snapshot);
  }
}
