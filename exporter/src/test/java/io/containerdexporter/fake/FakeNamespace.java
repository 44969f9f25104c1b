package io.containerdexporter.fake;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.containerdexporter.containerd.api.services.containers.v1.Container;
import io.containerdexporter.containerd.api.services.images.v1.Image;
import io.containerdexporter.containerd.api.services.snapshots.v1.Info;
import io.containerdexporter.containerd.api.services.snapshots.v1.Kind;
import io.containerdexporter.containerd.api.types.Descriptor;
import io.containerdexporter.containerd.api.types.task.Process;
import io.containerdexporter.containerd.api.types.task.Status;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The in-memory state of one containerd namespace, filled through a fluent API and read by the fake
 * services. Safe to change while the server runs (a test adds a container between two polls); every
 * read returns a copy. Records are kept sorted by key, as containerd's bolt database lists them.
 */
public final class FakeNamespace {

  /** A snapshot and the disk usage its snapshotter's Usage call reports. */
  record Snapshot(Info info, long usageBytes) {}

  private final String name;
  private final Consumer<String> snapshotterSeen;
  private final Map<String, Container> containers = new TreeMap<>();
  private final Map<String, Process> tasks = new TreeMap<>();
  private final Map<String, Any> taskMetrics = new TreeMap<>();
  private final Map<String, Image> images = new TreeMap<>();
  private final Map<String, FakeBlob> blobs = new TreeMap<>();
  private final Map<String, io.containerdexporter.containerd.api.services.content.v1.Status>
      ingests = new TreeMap<>();
  private final Map<String, Map<String, Snapshot>> snapshots = new TreeMap<>();

  FakeNamespace(String name, Consumer<String> snapshotterSeen) {
    this.name = name;
    this.snapshotterSeen = snapshotterSeen;
  }

  public String name() {
    return name;
  }

  /** containerd stores the OCI runtime spec as JSON in an Any of this type. */
  public static final String SPEC_TYPE_URL =
      "types.containerd.io/opencontainers/runtime-spec/1/Spec";

  /**
   * A container (runc v2, overlayfs, snapshot key = id), with or without a task, whose spec puts it
   * in the cgroup the containerd client gives by default ({@code /<namespace>/<id>}, as with ctr).
   */
  public FakeNamespace container(String id, String image, Map<String, String> labels) {
    return container(id, image, labels, spec("/" + name + "/" + id, Map.of()));
  }

  /** A container with the given OCI runtime spec (JSON), e.g. a CRI one from {@link #spec}. */
  public synchronized FakeNamespace container(
      String id, String image, Map<String, String> labels, String specJson) {
    return container(
        Container.newBuilder()
            .setId(id)
            .setImage(image)
            .putAllLabels(labels)
            .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2"))
            .setSpec(
                Any.newBuilder()
                    .setTypeUrl(SPEC_TYPE_URL)
                    .setValue(ByteString.copyFromUtf8(specJson)))
            .setSnapshotter("overlayfs")
            .setSnapshotKey(id)
            .setCreatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
            .setUpdatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
            .build());
  }

  /**
   * A container as given. Defining one that exists again is an update, as containerd's
   * Containers.Update: it keeps its created_at and its updated_at moves forward (the exporter
   * re-reads a container only when updated_at changes).
   */
  public synchronized FakeNamespace container(Container c) {
    Container before = containers.get(c.getId());
    if (before != null) {
      c =
          c.toBuilder()
              .setCreatedAt(before.getCreatedAt())
              .setUpdatedAt(
                  com.google.protobuf.Timestamp.newBuilder(before.getUpdatedAt())
                      .setSeconds(before.getUpdatedAt().getSeconds() + 1))
              .build();
    }
    containers.put(c.getId(), c);
    return this;
  }

  /**
   * A minimal OCI runtime spec: what the exporter reads from one is the cgroups path and the
   * annotations.
   */
  public static String spec(String cgroupsPath, Map<String, String> annotations) {
    String notes =
        new java.util.TreeMap<>(annotations)
            .entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(java.util.stream.Collectors.joining(","));
    return "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"/bin/sh\"],\"cwd\":\"/\"},"
        + "\"root\":{\"path\":\"rootfs\"},\"annotations\":{"
        + notes
        + "},"
        + "\"linux\":{\"cgroupsPath\":\""
        + cgroupsPath
        + "\"}}";
  }

  public synchronized FakeNamespace removeContainer(String id) {
    containers.remove(id);
    tasks.remove(id);
    return this;
  }

  /**
   * The init task of a container. Like containerd's Tasks.List, the process carries the container
   * id in {@code id} and leaves {@code container_id} empty.
   */
  public synchronized FakeNamespace task(String containerId, int pid, Status status) {
    tasks.put(
        containerId, Process.newBuilder().setId(containerId).setPid(pid).setStatus(status).build());
    return this;
  }

  /**
   * The stats payload Tasks.Metrics reports for a task: an {@code io.containerd.cgroups.v1.Metrics}
   * or {@code io.containerd.cgroups.v2.Metrics} packed as containerd's typeurl does (bare type
   * URL), or anything else.
   */
  public synchronized FakeNamespace taskMetrics(String containerId, Any data) {
    taskMetrics.put(containerId, data);
    return this;
  }

  /** A task whose process exited: STOPPED, pid 0, with its exit status and time. */
  public synchronized FakeNamespace stoppedTask(
      String containerId, int exitStatus, Instant exitedAt) {
    tasks.put(
        containerId,
        Process.newBuilder()
            .setId(containerId)
            .setStatus(Status.STOPPED)
            .setExitStatus(exitStatus)
            .setExitedAt(Timestamps.of(exitedAt))
            .build());
    return this;
  }

  /**
   * An image record pointing at {@code target}; add the blobs separately (or use {@link
   * #image(String, FakeImage)}).
   */
  public synchronized FakeNamespace image(String name, Descriptor target) {
    images.put(
        name,
        Image.newBuilder()
            .setName(name)
            .setTarget(target)
            .setCreatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
            .setUpdatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
            .build());
    return this;
  }

  /** An image record and every blob of the image in this namespace's content store. */
  public synchronized FakeNamespace image(String name, FakeImage image) {
    image.blobs().forEach(this::blob);
    return image(name, image.target().descriptor());
  }

  public synchronized FakeNamespace blob(FakeBlob blob) {
    blobs.put(blob.digest(), blob);
    return this;
  }

  /**
   * An in-flight write (Content.ListStatuses): {@code offset} bytes of {@code total} written so
   * far.
   */
  public synchronized FakeNamespace ingest(
      String ref, long offset, long total, Instant startedAt, Instant updatedAt) {
    ingests.put(
        ref,
        io.containerdexporter.containerd.api.services.content.v1.Status.newBuilder()
            .setRef(ref)
            .setOffset(offset)
            .setTotal(total)
            .setStartedAt(Timestamps.of(startedAt))
            .setUpdatedAt(Timestamps.of(updatedAt))
            .build());
    return this;
  }

  /**
   * A snapshot; its snapshotter becomes a loaded plugin of the fake daemon if it was not one yet.
   */
  public synchronized FakeNamespace snapshot(
      String snapshotter, String key, String parent, Kind kind, long usageBytes) {
    snapshotterSeen.accept(snapshotter);
    Info info =
        Info.newBuilder()
            .setName(key)
            .setParent(parent)
            .setKind(kind)
            .setCreatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
            .setUpdatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
            .build();
    snapshots
        .computeIfAbsent(snapshotter, s -> new TreeMap<>())
        .put(key, new Snapshot(info, usageBytes));
    return this;
  }

  synchronized List<Container> containers() {
    return List.copyOf(containers.values());
  }

  synchronized Optional<Container> container(String id) {
    return Optional.ofNullable(containers.get(id));
  }

  synchronized List<Process> tasks() {
    return List.copyOf(tasks.values());
  }

  /** Answers one Tasks.Metrics call: a Metric for every task that has a payload. */
  synchronized List<io.containerdexporter.containerd.api.types.Metric> taskMetrics() {
    return taskMetrics.entrySet().stream()
        .filter(e -> tasks.containsKey(e.getKey()))
        .map(
            e ->
                io.containerdexporter.containerd.api.types.Metric.newBuilder()
                    .setTimestamp(Timestamps.of(Instant.now()))
                    .setId(e.getKey())
                    .setData(e.getValue())
                    .build())
        .toList();
  }

  synchronized Optional<Process> task(String containerId) {
    return Optional.ofNullable(tasks.get(containerId));
  }

  synchronized List<Image> images() {
    return List.copyOf(images.values());
  }

  synchronized Optional<Image> image(String name) {
    return Optional.ofNullable(images.get(name));
  }

  synchronized List<FakeBlob> blobs() {
    return List.copyOf(blobs.values());
  }

  synchronized Optional<FakeBlob> blob(String digest) {
    return Optional.ofNullable(blobs.get(digest));
  }

  synchronized List<io.containerdexporter.containerd.api.services.content.v1.Status> ingests() {
    return List.copyOf(ingests.values());
  }

  synchronized List<Snapshot> snapshots(String snapshotter) {
    return List.copyOf(snapshots.getOrDefault(snapshotter, Map.of()).values());
  }

  synchronized Optional<Snapshot> snapshot(String snapshotter, String key) {
    return Optional.ofNullable(snapshots.getOrDefault(snapshotter, Map.of()).get(key));
  }
}
