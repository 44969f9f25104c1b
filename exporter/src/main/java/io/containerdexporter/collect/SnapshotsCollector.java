package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.SnapshotInfo;
import io.containerdexporter.model.SnapshotKind;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Snapshots per namespace, snapshotter and kind, and their disk usage (Snapshots.List,
 * Snapshots.Usage). containerd computes usage on its side, for an active snapshot by walking its
 * directory; a committed snapshot never changes, so its usage is asked once and remembered for as
 * long as it exists.
 */
public final class SnapshotsCollector implements Collector {

  static final FamilySpec SNAPSHOTS =
      FamilySpec.gauge(
          "containerd_snapshots",
          "Snapshots by snapshotter and kind (active: writable, e.g. a container's rootfs; committed: read-only layers; "
              + "view: read-only mounts).",
          "containerd_namespace",
          "snapshotter",
          "kind");
  static final FamilySpec SIZE =
      FamilySpec.gauge(
          "containerd_snapshots_size_bytes",
          Unit.BYTES,
          "Disk usage of the snapshots of a snapshotter, as its Usage call reports it.",
          "containerd_namespace",
          "snapshotter");

  private final ContainerdClient client;
  private final SnapshotUsage usage;

  SnapshotsCollector(ContainerdClient client, SnapshotUsage usage) {
    this.client = client;
    this.usage = usage;
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
  public List<Family> collect(PollScope scope) {
    java.util.Collection<String> snapshotters = scope.view().snapshotters().get().keySet();
    usage.beginRound(scope.now());
    FamilyBuilder snapshots = SNAPSHOTS.builder();
    FamilyBuilder size = SIZE.builder();
    for (String namespace : scope.namespaces()) {
      for (String snapshotter : snapshotters) {
        Map<SnapshotKind, Integer> byKind = new EnumMap<>(SnapshotKind.class);
        for (SnapshotKind k : SnapshotKind.values()) {
          byKind.put(k, 0);
        }
        long bytes = 0;
        for (SnapshotInfo s : client.snapshots(namespace, snapshotter)) {
          byKind.merge(s.kind(), 1, Integer::sum);
          SnapshotUsage.Key key = new SnapshotUsage.Key(namespace, snapshotter, s.key());
          // A snapshot removed between List and Usage (a container deleted meanwhile) uses no disk
          // any more.
          bytes += usage.bytes(key, s.kind() == SnapshotKind.COMMITTED, scope.now()).orElse(0);
        }
        byKind.forEach((kind, count) -> snapshots.add(count, namespace, snapshotter, kind.label()));
        size.add(bytes, namespace, snapshotter);
      }
    }
    return List.of(snapshots.build(), size.build());
  }
}
