package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.SnapshotInfo;
import io.containerdexporter.model.SnapshotKind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots per namespace, snapshotter and kind, and their disk usage (Snapshots.List, Snapshots.Usage). containerd
 * computes usage on its side, for an active snapshot by walking its directory; a committed snapshot never changes, so
 * its usage is asked once and remembered for as long as it exists.
 */
public final class SnapshotsCollector implements Collector {

  static final FamilySpec SNAPSHOTS = FamilySpec.gauge("containerd_snapshots",
      "Snapshots by snapshotter and kind (active: writable, e.g. a container's rootfs; committed: read-only layers; "
          + "view: read-only mounts).",
      "namespace", "snapshotter", "kind");
  static final FamilySpec SIZE = FamilySpec.gauge("containerd_snapshots_size_bytes", Unit.BYTES,
      "Disk usage of the snapshots of a snapshotter, as its Usage call reports it.", "namespace", "snapshotter");

  private record Key(String namespace, String snapshotter, String name) {}

  private final ContainerdClient client;
  /** Only touched by this collector's single-flight run. */
  private Map<Key, Long> committedUsage = new HashMap<>();

  public SnapshotsCollector(ContainerdClient client) {
    this.client = client;
  }

  @Override
  public String name() {
    return "snapshots";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(SNAPSHOTS, SIZE);
  }

  @Override
  public List<MetricSnapshot> collect(PollScope scope) {
    List<String> snapshotters = client.snapshotters();
    FamilyBuilder snapshots = SNAPSHOTS.builder();
    FamilyBuilder size = SIZE.builder();
    Map<Key, Long> stillCommitted = new HashMap<>();
    for (String namespace : scope.namespaces()) {
      for (String snapshotter : snapshotters) {
        Map<SnapshotKind, Integer> byKind = new EnumMap<>(SnapshotKind.class);
        for (SnapshotKind k : SnapshotKind.values()) {
          byKind.put(k, 0);
        }
        long bytes = 0;
        for (SnapshotInfo s : client.snapshots(namespace, snapshotter)) {
          byKind.merge(s.kind(), 1, Integer::sum);
          bytes += usage(namespace, s, stillCommitted);
        }
        byKind.forEach((kind, count) -> snapshots.add(count, namespace, snapshotter, kind.label()));
        size.add(bytes, namespace, snapshotter);
      }
    }
    committedUsage = stillCommitted; // forget removed snapshots, so the cache never outgrows the store
    return List.of(snapshots.build(), size.build());
  }

  private long usage(String namespace, SnapshotInfo s, Map<Key, Long> stillCommitted) {
    if (s.kind() != SnapshotKind.COMMITTED) {
      return usageOrZeroIfGone(namespace, s);
    }
    Key key = new Key(namespace, s.snapshotter(), s.key());
    Long known = committedUsage.get(key);
    long bytes = known != null ? known : usageOrZeroIfGone(namespace, s);
    stillCommitted.put(key, bytes);
    return bytes;
  }

  /** A snapshot removed between List and Usage (a container deleted meanwhile) uses no disk any more. */
  private long usageOrZeroIfGone(String namespace, SnapshotInfo s) {
    try {
      return client.snapshotUsageBytes(namespace, s.snapshotter(), s.key());
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return 0;
      }
      throw e;
    }
  }
}
