package io.containerdexporter.fake;

import com.google.protobuf.Empty;
import io.containerdexporter.containerd.api.services.containers.v1.ContainersGrpc;
import io.containerdexporter.containerd.api.services.containers.v1.GetContainerRequest;
import io.containerdexporter.containerd.api.services.containers.v1.GetContainerResponse;
import io.containerdexporter.containerd.api.services.containers.v1.ListContainerMessage;
import io.containerdexporter.containerd.api.services.containers.v1.ListContainersRequest;
import io.containerdexporter.containerd.api.services.containers.v1.ListContainersResponse;
import io.containerdexporter.containerd.api.services.content.v1.ContentGrpc;
import io.containerdexporter.containerd.api.services.content.v1.Info;
import io.containerdexporter.containerd.api.services.content.v1.InfoRequest;
import io.containerdexporter.containerd.api.services.content.v1.InfoResponse;
import io.containerdexporter.containerd.api.services.content.v1.ListContentRequest;
import io.containerdexporter.containerd.api.services.content.v1.ListContentResponse;
import io.containerdexporter.containerd.api.services.content.v1.ListStatusesRequest;
import io.containerdexporter.containerd.api.services.content.v1.ListStatusesResponse;
import io.containerdexporter.containerd.api.services.content.v1.ReadContentRequest;
import io.containerdexporter.containerd.api.services.content.v1.ReadContentResponse;
import io.containerdexporter.containerd.api.services.images.v1.GetImageRequest;
import io.containerdexporter.containerd.api.services.images.v1.GetImageResponse;
import io.containerdexporter.containerd.api.services.images.v1.ImagesGrpc;
import io.containerdexporter.containerd.api.services.images.v1.ListImagesRequest;
import io.containerdexporter.containerd.api.services.images.v1.ListImagesResponse;
import io.containerdexporter.containerd.api.services.introspection.v1.IntrospectionGrpc;
import io.containerdexporter.containerd.api.services.introspection.v1.PluginsRequest;
import io.containerdexporter.containerd.api.services.introspection.v1.PluginsResponse;
import io.containerdexporter.containerd.api.services.introspection.v1.ServerResponse;
import io.containerdexporter.containerd.api.services.namespaces.v1.GetNamespaceRequest;
import io.containerdexporter.containerd.api.services.namespaces.v1.GetNamespaceResponse;
import io.containerdexporter.containerd.api.services.namespaces.v1.ListNamespacesRequest;
import io.containerdexporter.containerd.api.services.namespaces.v1.ListNamespacesResponse;
import io.containerdexporter.containerd.api.services.namespaces.v1.Namespace;
import io.containerdexporter.containerd.api.services.namespaces.v1.NamespacesGrpc;
import io.containerdexporter.containerd.api.services.snapshots.v1.ListSnapshotsRequest;
import io.containerdexporter.containerd.api.services.snapshots.v1.ListSnapshotsResponse;
import io.containerdexporter.containerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.containerdexporter.containerd.api.services.snapshots.v1.StatSnapshotRequest;
import io.containerdexporter.containerd.api.services.snapshots.v1.StatSnapshotResponse;
import io.containerdexporter.containerd.api.services.snapshots.v1.UsageRequest;
import io.containerdexporter.containerd.api.services.snapshots.v1.UsageResponse;
import io.containerdexporter.containerd.api.services.tasks.v1.GetRequest;
import io.containerdexporter.containerd.api.services.tasks.v1.GetResponse;
import io.containerdexporter.containerd.api.services.tasks.v1.ListTasksRequest;
import io.containerdexporter.containerd.api.services.tasks.v1.ListTasksResponse;
import io.containerdexporter.containerd.api.services.tasks.v1.MetricsRequest;
import io.containerdexporter.containerd.api.services.tasks.v1.MetricsResponse;
import io.containerdexporter.containerd.api.services.tasks.v1.TasksGrpc;
import io.containerdexporter.containerd.api.services.version.v1.VersionGrpc;
import io.containerdexporter.containerd.api.services.version.v1.VersionResponse;
import io.grpc.BindableService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * The containerd services the exporter reads, answered from an {@link Inventory}. Error codes and
 * messages follow containerd's (errdefs): NOT_FOUND for a missing object, FAILED_PRECONDITION
 * without a namespace.
 */
final class FakeServices {

  /**
   * Messages per streamed listing (containerd: 100); small, so the client's merging of messages is
   * exercised.
   */
  static final int LIST_BATCH = 2;

  /**
   * Bytes per Content.Read message (containerd: 1 MiB); small, so a manifest arrives in several
   * messages.
   */
  static final int READ_CHUNK = 512;

  private FakeServices() {}

  static List<BindableService> all(Inventory inventory, EventsService events) {
    return List.of(
        new Version(inventory),
        new Introspection(inventory),
        new Namespaces(inventory),
        new Containers(inventory),
        new Tasks(inventory),
        new Images(inventory),
        new Content(inventory),
        new Snapshots(inventory),
        events);
  }

  static StatusRuntimeException notFound(String what) {
    return Status.NOT_FOUND.withDescription(what + ": not found").asRuntimeException();
  }

  static final class Version extends VersionGrpc.VersionImplBase {
    private final Inventory inventory;

    Version(Inventory inventory) {
      this.inventory = inventory;
    }

    @Override
    public void version(Empty request, StreamObserver<VersionResponse> out) {
      Replies.unary(
          out,
          () ->
              VersionResponse.newBuilder()
                  .setVersion(inventory.version())
                  .setRevision(inventory.revision())
                  .build());
    }
  }

  static final class Introspection extends IntrospectionGrpc.IntrospectionImplBase {
    private final Inventory inventory;

    Introspection(Inventory inventory) {
      this.inventory = inventory;
    }

    /**
     * Knows only snapshotter plugins: answers those unless a {@code type==} filter asks for another
     * type.
     */
    @Override
    public void plugins(PluginsRequest request, StreamObserver<PluginsResponse> out) {
      boolean otherType =
          request.getFiltersList().stream()
              .anyMatch(
                  f ->
                      f.startsWith("type==")
                          && !f.equals("type==" + Inventory.SNAPSHOTTER_PLUGIN_TYPE));
      Replies.unary(
          out,
          () ->
              PluginsResponse.newBuilder()
                  .addAllPlugins(otherType ? List.of() : inventory.snapshotterPlugins())
                  .build());
    }

    @Override
    public void server(Empty request, StreamObserver<ServerResponse> out) {
      Replies.unary(
          out,
          () ->
              ServerResponse.newBuilder()
                  .setUuid("00000000-0000-4000-8000-000000000000")
                  .setPid(1)
                  .setPidns(4026531836L)
                  .build());
    }
  }

  static final class Namespaces extends NamespacesGrpc.NamespacesImplBase {
    private final Inventory inventory;

    Namespaces(Inventory inventory) {
      this.inventory = inventory;
    }

    @Override
    public void list(ListNamespacesRequest request, StreamObserver<ListNamespacesResponse> out) {
      Replies.unary(
          out,
          () ->
              ListNamespacesResponse.newBuilder()
                  .addAllNamespaces(
                      inventory.namespaceNames().stream()
                          .map(n -> Namespace.newBuilder().setName(n).build())
                          .toList())
                  .build());
    }

    @Override
    public void get(GetNamespaceRequest request, StreamObserver<GetNamespaceResponse> out) {
      Replies.unary(
          out,
          () ->
              inventory
                  .existing(request.getName())
                  .map(
                      n ->
                          GetNamespaceResponse.newBuilder()
                              .setNamespace(Namespace.newBuilder().setName(n.name()))
                              .build())
                  .orElseThrow(() -> notFound("namespace " + request.getName())));
    }
  }

  static final class Containers extends ContainersGrpc.ContainersImplBase {
    private final Inventory inventory;

    Containers(Inventory inventory) {
      this.inventory = inventory;
    }

    @Override
    public void list(ListContainersRequest request, StreamObserver<ListContainersResponse> out) {
      Replies.unary(
          out,
          () ->
              ListContainersResponse.newBuilder()
                  .addAllContainers(inventory.current().containers())
                  .build());
    }

    @Override
    public void listStream(
        ListContainersRequest request, StreamObserver<ListContainerMessage> out) {
      Replies.stream(
          out,
          () ->
              inventory.current().containers().stream()
                  .map(c -> ListContainerMessage.newBuilder().setContainer(c).build())
                  .toList());
    }

    @Override
    public void get(GetContainerRequest request, StreamObserver<GetContainerResponse> out) {
      Replies.unary(
          out,
          () -> {
            FakeNamespace ns = inventory.current();
            return ns.container(request.getId())
                .map(c -> GetContainerResponse.newBuilder().setContainer(c).build())
                .orElseThrow(
                    () ->
                        notFound(
                            "container \""
                                + request.getId()
                                + "\" in namespace \""
                                + ns.name()
                                + "\""));
          });
    }
  }

  static final class Tasks extends TasksGrpc.TasksImplBase {
    private final Inventory inventory;

    Tasks(Inventory inventory) {
      this.inventory = inventory;
    }

    @Override
    public void list(ListTasksRequest request, StreamObserver<ListTasksResponse> out) {
      Replies.unary(
          out,
          () -> ListTasksResponse.newBuilder().addAllTasks(inventory.current().tasks()).build());
    }

    /**
     * Like containerd without filters: a Metric for every task of the namespace that has a payload
     * set.
     */
    @Override
    public void metrics(MetricsRequest request, StreamObserver<MetricsResponse> out) {
      Replies.unary(
          out,
          () ->
              MetricsResponse.newBuilder()
                  .addAllMetrics(inventory.current().taskMetrics())
                  .build());
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
      Replies.unary(
          out,
          () ->
              inventory
                  .current()
                  .task(request.getContainerId())
                  .map(p -> GetResponse.newBuilder().setProcess(p).build())
                  .orElseThrow(() -> notFound("task " + request.getContainerId())));
    }
  }

  static final class Images extends ImagesGrpc.ImagesImplBase {
    private final Inventory inventory;

    Images(Inventory inventory) {
      this.inventory = inventory;
    }

    @Override
    public void list(ListImagesRequest request, StreamObserver<ListImagesResponse> out) {
      Replies.unary(
          out,
          () -> ListImagesResponse.newBuilder().addAllImages(inventory.current().images()).build());
    }

    @Override
    public void get(GetImageRequest request, StreamObserver<GetImageResponse> out) {
      Replies.unary(
          out,
          () ->
              inventory
                  .current()
                  .image(request.getName())
                  .map(i -> GetImageResponse.newBuilder().setImage(i).build())
                  .orElseThrow(() -> notFound("image \"" + request.getName() + "\"")));
    }
  }

  static final class Content extends ContentGrpc.ContentImplBase {
    private final Inventory inventory;

    Content(Inventory inventory) {
      this.inventory = inventory;
    }

    private static Info info(FakeBlob blob) {
      return Info.newBuilder()
          .setDigest(blob.digest())
          .setSize(blob.size())
          .setCreatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
          .setUpdatedAt(Timestamps.of(Timestamps.EPOCH_OF_FIXTURES))
          .build();
    }

    @Override
    public void list(ListContentRequest request, StreamObserver<ListContentResponse> out) {
      Replies.stream(
          out,
          () ->
              Replies.batches(inventory.current().blobs(), LIST_BATCH).stream()
                  .map(
                      batch ->
                          ListContentResponse.newBuilder()
                              .addAllInfo(batch.stream().map(Content::info).toList())
                              .build())
                  .toList());
    }

    @Override
    public void info(InfoRequest request, StreamObserver<InfoResponse> out) {
      Replies.unary(
          out,
          () ->
              inventory
                  .current()
                  .blob(request.getDigest())
                  .map(b -> InfoResponse.newBuilder().setInfo(info(b)).build())
                  .orElseThrow(() -> notFound("content digest " + request.getDigest())));
    }

    @Override
    public void listStatuses(
        ListStatusesRequest request, StreamObserver<ListStatusesResponse> out) {
      Replies.unary(
          out,
          () ->
              ListStatusesResponse.newBuilder()
                  .addAllStatuses(inventory.current().ingests())
                  .build());
    }

    /**
     * Streams bytes [offset, offset + size) of the blob; size 0 means to the end (containerd's
     * ReaderAt).
     */
    @Override
    public void read(ReadContentRequest request, StreamObserver<ReadContentResponse> out) {
      Replies.stream(
          out,
          () -> {
            FakeBlob blob =
                inventory
                    .current()
                    .blob(request.getDigest())
                    .orElseThrow(() -> notFound("content digest " + request.getDigest()));
            long start = Math.min(Math.max(0, request.getOffset()), blob.size());
            long end =
                request.getSize() > 0
                    ? Math.min(blob.size(), start + request.getSize())
                    : blob.size();
            List<ReadContentResponse> chunks = new ArrayList<>();
            for (long at = start; at < end; at += READ_CHUNK) {
              int from = (int) at;
              int to = (int) Math.min(end, at + READ_CHUNK);
              chunks.add(
                  ReadContentResponse.newBuilder()
                      .setOffset(at)
                      .setData(blob.bytes().substring(from, to))
                      .build());
            }
            return chunks;
          });
    }
  }

  static final class Snapshots extends SnapshotsGrpc.SnapshotsImplBase {
    private final Inventory inventory;

    Snapshots(Inventory inventory) {
      this.inventory = inventory;
    }

    @Override
    public void list(ListSnapshotsRequest request, StreamObserver<ListSnapshotsResponse> out) {
      Replies.stream(
          out,
          () -> {
            FakeNamespace ns = inventory.current();
            inventory.requireLoaded(request.getSnapshotter());
            return Replies.batches(ns.snapshots(request.getSnapshotter()), LIST_BATCH).stream()
                .map(
                    batch ->
                        ListSnapshotsResponse.newBuilder()
                            .addAllInfo(batch.stream().map(FakeNamespace.Snapshot::info).toList())
                            .build())
                .toList();
          });
    }

    @Override
    public void stat(StatSnapshotRequest request, StreamObserver<StatSnapshotResponse> out) {
      Replies.unary(
          out,
          () ->
              snapshot(request.getSnapshotter(), request.getKey())
                  .map(s -> StatSnapshotResponse.newBuilder().setInfo(s.info()).build())
                  .orElseThrow(() -> notFound("snapshot " + request.getKey())));
    }

    @Override
    public void usage(UsageRequest request, StreamObserver<UsageResponse> out) {
      Replies.unary(
          out,
          () ->
              snapshot(request.getSnapshotter(), request.getKey())
                  .map(
                      s ->
                          UsageResponse.newBuilder()
                              .setSize(s.usageBytes())
                              .setInodes(Math.max(1, s.usageBytes() / 4096))
                              .build())
                  .orElseThrow(() -> notFound("snapshot " + request.getKey())));
    }

    private java.util.Optional<FakeNamespace.Snapshot> snapshot(String snapshotter, String key) {
      FakeNamespace ns = inventory.current();
      inventory.requireLoaded(snapshotter);
      return ns.snapshot(snapshotter, key);
    }
  }
}
