package io.containerdexporter.collect;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RoundView;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

/**
 * cAdvisor's container_fs_usage_bytes / container_fs_limit_bytes: for every live task, the disk its
 * writable layer (its active snapshot) uses, as containerd's Snapshots.Usage reports it, and the
 * capacity of the filesystem that holds it (the snapshotter's root); and for the node ({@code
 * id="/"}), used and total bytes of every block-device filesystem (dashboard 13105's node disk
 * panels).
 */
public final class WritableLayerCollector implements Collector {

  static final List<String> DEVICE_LABELS = ContainerStatsTable.with("device");

  static final FamilySpec USAGE =
      new FamilySpec(
          "container_fs_usage_bytes",
          MetricType.GAUGE,
          "Bytes the container's writable layer uses on disk (its snapshot, as containerd's Snapshots.Usage reports it); "
              + "for id=\"/\", the bytes used on each block-device filesystem of the node.",
          Unit.BYTES,
          DEVICE_LABELS);
  static final FamilySpec LIMIT =
      new FamilySpec(
          "container_fs_limit_bytes",
          MetricType.GAUGE,
          "Capacity of the filesystem holding the container's writable layer (the snapshotter's root); for id=\"/\", of "
              + "each block-device filesystem of the node.",
          Unit.BYTES,
          DEVICE_LABELS);

  static final FamilySpec INODES_FREE =
      new FamilySpec(
          "container_fs_inodes_free",
          MetricType.GAUGE,
          "Free inodes of the filesystem holding the container's writable layer; for id=\"/\", of each block-device "
              + "filesystem of the node.",
          null,
          DEVICE_LABELS);

  /**
   * cAdvisor's name ends in _total but is a gauge; client_java (and OpenMetrics) reserve _total for
   * counters, so the name is kept and the type is counter. The value only changes when the
   * filesystem is resized.
   */
  static final FamilySpec INODES_TOTAL =
      new FamilySpec(
          "container_fs_inodes_total",
          MetricType.COUNTER,
          "Inodes of the filesystem holding the container's writable layer; for id=\"/\", of each block-device "
              + "filesystem of the node (cAdvisor's gauge, typed counter for its _total name).",
          null,
          DEVICE_LABELS);

  /** A filesystem of the node: device, where it is mounted, used and total bytes and inodes. */
  record NodeFilesystem(
      String device,
      String mount,
      long usedBytes,
      long totalBytes,
      long freeInodes,
      long totalInodes) {

    /** Whether {@code path} is on this filesystem's mount (or below it). */
    boolean holds(String path) {
      return path.equals(mount) || path.startsWith(mount.endsWith("/") ? mount : mount + "/");
    }
  }

  private final ContainerIndex index;
  private final SnapshotUsage usage;
  private final Supplier<List<NodeFilesystem>> nodeFilesystems;

  WritableLayerCollector(
      ContainerIndex index, SnapshotUsage usage, Supplier<List<NodeFilesystem>> nodeFilesystems) {
    this.index = index;
    this.usage = usage;
    this.nodeFilesystems = nodeFilesystems;
  }

  @Override
  public String name() {
    return "writable-layer";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(USAGE, LIMIT, INODES_FREE, INODES_TOTAL);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder used = USAGE.builder();
    FamilyBuilder limit = LIMIT.builder();
    FamilyBuilder inodesFree = INODES_FREE.builder();
    FamilyBuilder inodesTotal = INODES_TOTAL.builder();
    List<NodeFilesystem> node = nodeFilesystems.get();
    Map<String, Optional<SnapshotterStore>> stores = new HashMap<>();
    Map<String, String> roots = scope.view().snapshotters().get();
    usage.beginRound(scope.now());
    for (RoundView.LiveTask live : scope.view().liveTasks()) {
      ContainerInfo c = live.container();
      if (c.snapshotKey().isEmpty() || !roots.containsKey(c.snapshotter())) {
        continue; // no rootfs snapshot (a VM-based runtime, a bundle rootfs), or its snapshotter
        // did not load
      }
      OptionalLong bytes =
          usage.bytes(
              new SnapshotUsage.Key(c.namespace(), c.snapshotter(), c.snapshotKey()),
              false,
              scope.now());
      if (bytes.isEmpty()) {
        continue;
      }
      Optional<SnapshotterStore> store =
          stores.computeIfAbsent(
              c.snapshotter(), s -> fileStore(roots.get(s)).map(SnapshotterStore::of));
      String[] labels =
          index.identity(c).labelValuesWith(store.map(SnapshotterStore::device).orElse(""));
      used.add(bytes.getAsLong(), labels);
      store.flatMap(SnapshotterStore::totalBytes).ifPresent(total -> limit.add(total, labels));
      holding(node, roots.get(c.snapshotter()))
          .ifPresent(
              fs -> {
                inodesFree.add(fs.freeInodes(), labels);
                inodesTotal.add(fs.totalInodes(), labels);
              });
    }
    for (NodeFilesystem fs : node) {
      String[] labels = ContainerIdentity.ROOT.labelValuesWith(fs.device());
      used.add(fs.usedBytes(), labels);
      limit.add(fs.totalBytes(), labels);
      inodesFree.add(fs.freeInodes(), labels);
      inodesTotal.add(fs.totalInodes(), labels);
    }
    return List.of(used.build(), limit.build(), inodesFree.build(), inodesTotal.build());
  }

  /**
   * A snapshotter root's filesystem as read once a round: its device and capacity are the same for
   * every container on it, and each {@link FileStore#getTotalSpace} is a statfs (two per container
   * before).
   */
  private record SnapshotterStore(String device, Optional<Long> totalBytes) {
    static SnapshotterStore of(FileStore store) {
      return new SnapshotterStore(store.name(), totalSpace(store));
    }
  }

  /**
   * The filesystem of a snapshotter root as this process sees it; empty if not mounted here (mount
   * it in).
   */
  private static Optional<FileStore> fileStore(String root) {
    if (root == null || root.isEmpty() || !Files.exists(Path.of(root))) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.getFileStore(Path.of(root)));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The node filesystem a snapshotter root lives on: the one with the longest mount that holds it
   * (statfs gives the inodes of that one); empty when it is on no block device (e.g. a tmpfs).
   */
  static Optional<NodeFilesystem> holding(List<NodeFilesystem> node, String root) {
    if (root == null || root.isEmpty()) {
      return Optional.empty();
    }
    return node.stream()
        .filter(fs -> fs.holds(root))
        .max(java.util.Comparator.comparingInt(fs -> fs.mount().length()));
  }

  private static Optional<Long> totalSpace(FileStore store) {
    try {
      return Optional.of(store.getTotalSpace());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * The node's block-device filesystems, one per device (a device mounted twice counts once), from
   * oshi, which reads the mount table of the namespace the exporter runs in: in a DaemonSet, mount
   * the host's root.
   */
  static List<NodeFilesystem> nodeFilesystemsFromOshi() {
    Map<String, NodeFilesystem> byDevice = new LinkedHashMap<>();
    for (oshi.software.os.OSFileStore fs :
        new oshi.SystemInfo().getOperatingSystem().getFileSystem().getFileStores(true)) {
      String device = fs.getVolume();
      if (device.startsWith("/dev/") && fs.getTotalSpace() > 0) {
        NodeFilesystem one =
            new NodeFilesystem(
                device,
                fs.getMount(),
                fs.getTotalSpace() - fs.getFreeSpace(),
                fs.getTotalSpace(),
                fs.getFreeInodes(),
                fs.getTotalInodes());
        byDevice.putIfAbsent(device, one);
      }
    }
    return List.copyOf(byDevice.values());
  }
}
