package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Disk usage of snapshots, asked of containerd (which walks an active snapshot's directory per call) at most once per
 * poll and, for a committed snapshot (which never changes), once for as long as it exists. Shared by the snapshots
 * collector (usage per snapshotter) and the writable-layer collector (container_fs_usage_bytes), so a poll does not
 * walk a container's rootfs twice.
 */
final class SnapshotUsage {

  record Key(String namespace, String snapshotter, String name) {}

  private record Known(long bytes, boolean committed, Instant polledAt) {}

  private final ContainerdClient client;
  private final Map<Key, Known> known = new ConcurrentHashMap<>();

  SnapshotUsage(ContainerdClient client) {
    this.client = client;
  }

  /** Empty if the snapshot is gone (removed since it was listed). */
  OptionalLong bytes(Key key, boolean committed, Instant poll) {
    Known k = known.get(key);
    if (k != null && (k.committed() || k.polledAt().equals(poll))) {
      return OptionalLong.of(k.bytes());
    }
    try {
      long bytes = client.snapshotUsageBytes(key.namespace(), key.snapshotter(), key.name());
      known.put(key, new Known(bytes, committed, poll));
      return OptionalLong.of(bytes);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        known.remove(key);
        return OptionalLong.empty();
      }
      throw e;
    }
  }

  /** Forgets snapshots not seen in the latest full listing, so the cache never outgrows the store. */
  void retain(Set<Key> listed) {
    known.keySet().retainAll(listed);
  }
}
