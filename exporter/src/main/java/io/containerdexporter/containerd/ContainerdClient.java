package io.containerdexporter.containerd;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import io.containerdexporter.containerd.api.services.containers.v1.ContainersGrpc;
import io.containerdexporter.containerd.api.services.containers.v1.GetContainerRequest;
import io.containerdexporter.containerd.api.services.containers.v1.ListContainerMessage;
import io.containerdexporter.containerd.api.services.containers.v1.ListContainersRequest;
import io.containerdexporter.containerd.api.services.content.v1.ContentGrpc;
import io.containerdexporter.containerd.api.services.content.v1.ListContentRequest;
import io.containerdexporter.containerd.api.services.content.v1.ListContentResponse;
import io.containerdexporter.containerd.api.services.content.v1.ListStatusesRequest;
import io.containerdexporter.containerd.api.services.content.v1.ReadContentRequest;
import io.containerdexporter.containerd.api.services.content.v1.ReadContentResponse;
import io.containerdexporter.containerd.api.services.images.v1.ImagesGrpc;
import io.containerdexporter.containerd.api.services.images.v1.ListImagesRequest;
import io.containerdexporter.containerd.api.services.introspection.v1.IntrospectionGrpc;
import io.containerdexporter.containerd.api.services.introspection.v1.PluginsRequest;
import io.containerdexporter.containerd.api.services.namespaces.v1.ListNamespacesRequest;
import io.containerdexporter.containerd.api.services.namespaces.v1.Namespace;
import io.containerdexporter.containerd.api.services.namespaces.v1.NamespacesGrpc;
import io.containerdexporter.containerd.api.services.snapshots.v1.ListSnapshotsRequest;
import io.containerdexporter.containerd.api.services.snapshots.v1.ListSnapshotsResponse;
import io.containerdexporter.containerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.containerdexporter.containerd.api.services.snapshots.v1.UsageRequest;
import io.containerdexporter.containerd.api.services.tasks.v1.ListTasksRequest;
import io.containerdexporter.containerd.api.services.tasks.v1.MetricsRequest;
import io.containerdexporter.containerd.api.services.tasks.v1.TasksGrpc;
import io.containerdexporter.containerd.api.services.version.v1.VersionGrpc;
import io.containerdexporter.containerd.api.services.version.v1.VersionResponse;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.ContainerdVersion;
import io.containerdexporter.model.ContentBlob;
import io.containerdexporter.model.ImageInfo;
import io.containerdexporter.model.Ingest;
import io.containerdexporter.model.SnapshotInfo;
import io.containerdexporter.model.TaskInfo;
import io.grpc.stub.AbstractStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The read-only face of containerd's API that the rest of the exporter uses. Every call carries a
 * deadline (for a stream, on the whole stream), namespaced calls carry the {@code
 * containerd-namespace} header, and answers come back as our own records; callers never see a stub,
 * a channel or a proto message. Turning messages into records is {@link ProtoMapping}'s and {@link
 * ContainerMapper}'s; the event stream's plumbing is {@link EventStream}'s.
 */
public final class ContainerdClient {

  /** Snapshotter plugins register under this type; Introspection.Plugins lists them. */
  static final String SNAPSHOTTER_PLUGIN_TYPE = "io.containerd.snapshotter.v1";

  private final ContainerdChannel channel;
  private final Duration timeout;
  private final ContainerMapper containers = new ContainerMapper();
  private final EventStream events;

  public ContainerdClient(ContainerdChannel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
    this.events = new EventStream(channel);
  }

  public Path socket() {
    return channel.socket();
  }

  /** See {@link ContainerdChannel#resetConnectBackoff()}. */
  public void resetConnectBackoff() {
    channel.resetConnectBackoff();
  }

  public ContainerdVersion version() {
    VersionResponse response =
        withDeadline(VersionGrpc.newBlockingStub(channel.channel()))
            .version(Empty.getDefaultInstance());
    return new ContainerdVersion(response.getVersion(), response.getRevision());
  }

  public List<String> namespaces() {
    List<String> names =
        withDeadline(NamespacesGrpc.newBlockingStub(channel.channel()))
            .list(ListNamespacesRequest.getDefaultInstance())
            .getNamespacesList()
            .stream()
            .map(Namespace::getName)
            .toList();
    containers.retainNamespaces(names);
    return names;
  }

  /**
   * The snapshotters that loaded (one whose plugin failed to initialise can't be listed), by id,
   * each with where it keeps its data (the plugin's "root" export, e.g.
   * /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs: the filesystem a container's
   * writable layer is on; "" if it exports none). One Introspection.Plugins call.
   */
  public Map<String, String> snapshotters() {
    Map<String, String> roots = new java.util.TreeMap<>();
    withDeadline(IntrospectionGrpc.newBlockingStub(channel.channel()))
        .plugins(PluginsRequest.newBuilder().addFilters("type==" + SNAPSHOTTER_PLUGIN_TYPE).build())
        .getPluginsList()
        .stream()
        .filter(p -> p.getType().equals(SNAPSHOTTER_PLUGIN_TYPE) && !p.hasInitErr())
        .forEach(p -> roots.put(p.getId(), p.getExportsMap().getOrDefault("root", "")));
    return roots;
  }

  /**
   * containerd's own pid, as it reports it (Introspection.Server); 0 from a daemon too old to say
   * (1.6.0-1.6.24).
   */
  public long serverPid() {
    return withDeadline(IntrospectionGrpc.newBlockingStub(channel.channel()))
        .server(Empty.getDefaultInstance())
        .getPid();
  }

  /**
   * Containers of a namespace, streamed one per message so no count of containers hits the message
   * size limit.
   */
  public List<ContainerInfo> containers(String namespace) {
    StreamedList<ListContainerMessage, ContainerInfo> listing =
        new StreamedList<>(m -> containers.map(namespace, m.getContainer()));
    List<ContainerInfo> out =
        listing.call(
            observer ->
                inNamespace(ContainersGrpc.newStub(channel.channel()), namespace)
                    .withExecutor(Runnable::run) // on the event loop: see StreamedList
                    .listStream(ListContainersRequest.getDefaultInstance(), observer));
    containers.retain(namespace, out);
    return out;
  }

  public List<TaskInfo> tasks(String namespace) {
    return inNamespace(TasksGrpc.newBlockingStub(channel.channel()), namespace)
        .list(ListTasksRequest.getDefaultInstance())
        .getTasksList()
        .stream()
        .map(p -> ProtoMapping.task(namespace, p))
        .toList();
  }

  /**
   * Tasks.Metrics for every task of the namespace (no filter: containerd answers for all of the
   * namespace's tasks, one shim Stats call each, and leaves out a task whose shim could not
   * answer). Container id → the stats payload, an Any holding {@code
   * io.containerd.cgroups.v1.Metrics} or {@code io.containerd.cgroups.v2.Metrics} under a bare type
   * URL (see {@link TypeUrls}); cgroup's ApiStatsConverter turns it into stats.
   */
  public Map<String, Any> taskMetrics(String namespace) {
    return taskMetrics(namespace, List.of(), timeout);
  }

  /**
   * Tasks.Metrics of the namespace's tasks that match {@code filters} (containerd's syntax, e.g.
   * {@code id=="ID"}; several filters are alternatives, a comma within one means "and"), under its
   * own deadline: containerd asks only the matching tasks' shims.
   */
  public Map<String, Any> taskMetrics(String namespace, List<String> filters, Duration deadline) {
    Map<String, Any> out = new LinkedHashMap<>();
    TasksGrpc.newBlockingStub(channel.channel())
        .withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS)
        .withInterceptors(NamespaceHeader.of(namespace))
        .metrics(MetricsRequest.newBuilder().addAllFilters(filters).build())
        .getMetricsList()
        .forEach(m -> out.put(m.getId(), m.getData()));
    return out;
  }

  public List<ImageInfo> images(String namespace) {
    return inNamespace(ImagesGrpc.newBlockingStub(channel.channel()), namespace)
        .list(ListImagesRequest.getDefaultInstance())
        .getImagesList()
        .stream()
        .map(i -> ProtoMapping.image(namespace, i))
        .toList();
  }

  public List<ContentBlob> content(String namespace) {
    Iterator<ListContentResponse> stream =
        inNamespace(ContentGrpc.newBlockingStub(channel.channel()), namespace)
            .list(ListContentRequest.getDefaultInstance());
    List<ContentBlob> out = new ArrayList<>();
    stream.forEachRemaining(
        r -> r.getInfoList().forEach(i -> out.add(new ContentBlob(i.getDigest(), i.getSize()))));
    return out;
  }

  public List<Ingest> ingests(String namespace) {
    return inNamespace(ContentGrpc.newBlockingStub(channel.channel()), namespace)
        .listStatuses(ListStatusesRequest.getDefaultInstance())
        .getStatusesList()
        .stream()
        .map(
            s ->
                new Ingest(
                    s.getRef(),
                    s.getOffset(),
                    s.getTotal(),
                    ProtoMapping.instant(s.getStartedAt()),
                    ProtoMapping.instant(s.getUpdatedAt())))
        .toList();
  }

  /**
   * Reads at most {@code maxBytes} of a blob (image indexes and manifests are small JSON documents;
   * the cap keeps a mislabelled layer from being read whole).
   */
  public byte[] read(String namespace, String digest, long maxBytes) {
    Iterator<ReadContentResponse> stream =
        inNamespace(ContentGrpc.newBlockingStub(channel.channel()), namespace)
            .read(ReadContentRequest.newBuilder().setDigest(digest).setSize(maxBytes).build());
    List<ByteString> chunks = new ArrayList<>();
    stream.forEachRemaining(r -> chunks.add(r.getData()));
    return ByteString.copyFrom(chunks).toByteArray();
  }

  public List<SnapshotInfo> snapshots(String namespace, String snapshotter) {
    Iterator<ListSnapshotsResponse> stream =
        inNamespace(SnapshotsGrpc.newBlockingStub(channel.channel()), namespace)
            .list(ListSnapshotsRequest.newBuilder().setSnapshotter(snapshotter).build());
    List<SnapshotInfo> out = new ArrayList<>();
    stream.forEachRemaining(
        r ->
            r.getInfoList()
                .forEach(
                    i ->
                        ProtoMapping.snapshotKind(i.getKind())
                            .ifPresent(
                                kind ->
                                    out.add(
                                        new SnapshotInfo(
                                            snapshotter, i.getName(), i.getParent(), kind)))));
    return out;
  }

  /**
   * Disk bytes of one snapshot; containerd computes it (for an active snapshot by walking its
   * directory).
   */
  public long snapshotUsageBytes(String namespace, String snapshotter, String key) {
    return inNamespace(SnapshotsGrpc.newBlockingStub(channel.channel()), namespace)
        .usage(UsageRequest.newBuilder().setSnapshotter(snapshotter).setKey(key).build())
        .getSize();
  }

  /**
   * Subscribes to containerd's events; see {@link EventStream#subscribe}. Returns a handle that
   * cancels it.
   */
  public Runnable subscribe(
      List<String> filters, Executor executor, EventStream.Listener listener) {
    return events.subscribe(filters, executor, listener);
  }

  private <S extends AbstractStub<S>> S withDeadline(S stub) {
    return stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private <S extends AbstractStub<S>> S inNamespace(S stub, String namespace) {
    return withDeadline(stub).withInterceptors(NamespaceHeader.of(namespace));
  }

  /** One container; answers NOT_FOUND (as StatusRuntimeException) if it is gone. */
  public ContainerInfo container(String namespace, String id) {
    return containers.map(
        namespace,
        inNamespace(ContainersGrpc.newBlockingStub(channel.channel()), namespace)
            .get(GetContainerRequest.newBuilder().setId(id).build())
            .getContainer());
  }
}
