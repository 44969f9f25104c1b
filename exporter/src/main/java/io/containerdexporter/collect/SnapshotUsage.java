package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Disk usage of snapshots, cached, because asking costs containerd: for an active snapshot (a
 * container's writable layer) Snapshots.Usage walks its whole directory. An active snapshot is
 * asked again at most every {@code refreshEvery} ({@code --collector.writable-layer.interval}, 1m
 * by default, like cAdvisor's fs housekeeping); a committed one never changes, so it is asked once
 * for as long as it exists. Shared by the snapshots collector (usage per snapshotter) and the
 * writable-layer collector (container_fs_usage_bytes), so a snapshot is walked once for both.
 *
 * <p>Bounded whichever of the two runs: an entry no collector asked for in the previous round or
 * this one is forgotten when a round begins.
 */
final class SnapshotUsage {

  record Key(String namespace, String snapshotter, String name) {}

  private record Known(long bytes, boolean committed, Instant fetchedAt, Instant askedAt) {}

  private final ContainerdClient client;
  private final Duration refreshEvery;
  private final Map<Key, Known> known = new ConcurrentHashMap<>();
  private Instant currentRound = Instant.MIN;
  private Instant previousRound = Instant.MIN;

  SnapshotUsage(ContainerdClient client, Duration refreshEvery) {
    this.client = client;
    this.refreshEvery = refreshEvery;
  }

  /**
   * Called by each collector at the start of its run; the first call of a round forgets what went
   * unasked.
   */
  synchronized void beginRound(Instant round) {
    if (!round.isAfter(currentRound)) {
      return;
    }
    previousRound = currentRound;
    currentRound = round;
    Instant keepSince = previousRound;
    known.values().removeIf(k -> k.askedAt().isBefore(keepSince));
  }

  /** Empty if the snapshot is gone (removed since it was listed). */
  OptionalLong bytes(Key key, boolean committed, Instant round) {
    Known k = known.get(key);
    if (k != null && (k.committed() || k.fetchedAt().plus(refreshEvery).isAfter(round))) {
      known.put(key, new Known(k.bytes(), k.committed(), k.fetchedAt(), round));
      return OptionalLong.of(k.bytes());
    }
    try {
      long bytes = client.snapshotUsageBytes(key.namespace(), key.snapshotter(), key.name());
      known.put(key, new Known(bytes, committed, round, round));
      return OptionalLong.of(bytes);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        known.remove(key);
        return OptionalLong.empty();
      }
      throw e;
    }
  }

  int size() {
    return known.size();
  }
}
