package io.containerdexporter.fake;

import io.containerdexporter.containerd.api.services.introspection.v1.Plugin;
import io.grpc.Context;
import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything the fake daemon knows: its version, its snapshotter plugins and its namespaces.
 * Thread-safe.
 */
final class Inventory {

  static final String SNAPSHOTTER_PLUGIN_TYPE = "io.containerd.snapshotter.v1";

  /** Set per call by {@link NamespaceInterceptor} from the {@code containerd-namespace} header. */
  static final Context.Key<String> NAMESPACE = Context.key("containerd-namespace");

  private final Map<String, FakeNamespace> namespaces = new TreeMap<>();
  private final Map<String, Plugin> snapshotters = new TreeMap<>();
  private volatile String version = "v2.1.4";
  private volatile String revision = "fake";

  synchronized FakeNamespace namespace(String name) {
    return namespaces.computeIfAbsent(name, n -> new FakeNamespace(n, this::snapshotter));
  }

  synchronized void removeNamespace(String name) {
    namespaces.remove(name);
  }

  synchronized List<String> namespaceNames() {
    return List.copyOf(namespaces.keySet());
  }

  synchronized Optional<FakeNamespace> existing(String name) {
    return Optional.ofNullable(namespaces.get(name));
  }

  /**
   * The namespace of the current call. Like containerd, a call without the header fails; a
   * namespace that was never created reads as empty (containerd has no buckets for it, so its lists
   * are empty).
   */
  FakeNamespace current() {
    String name = NAMESPACE.get();
    if (name == null || name.isEmpty()) {
      throw Status.FAILED_PRECONDITION
          .withDescription("namespace is required: failed precondition")
          .asRuntimeException();
    }
    return existing(name).orElseGet(() -> new FakeNamespace(name, s -> {}));
  }

  synchronized void snapshotter(String id) {
    snapshotters.putIfAbsent(
        id, Plugin.newBuilder().setType(SNAPSHOTTER_PLUGIN_TYPE).setId(id).build());
  }

  /** A loaded snapshotter that exports its root directory, as containerd's plugins do. */
  synchronized void snapshotter(String id, String root) {
    snapshotters.put(
        id,
        Plugin.newBuilder()
            .setType(SNAPSHOTTER_PLUGIN_TYPE)
            .setId(id)
            .putExports("root", root)
            .build());
  }

  /**
   * A snapshotter whose plugin failed to initialise (zfs on ext4, say): Introspection lists it with
   * init_err.
   */
  synchronized void brokenSnapshotter(String id, String error) {
    snapshotters.put(
        id,
        Plugin.newBuilder()
            .setType(SNAPSHOTTER_PLUGIN_TYPE)
            .setId(id)
            .setInitErr(
                com.google.rpc.Status.newBuilder()
                    .setCode(Status.Code.UNKNOWN.value())
                    .setMessage(error))
            .build());
  }

  synchronized List<Plugin> snapshotterPlugins() {
    return List.copyOf(snapshotters.values());
  }

  /** A loaded snapshotter, or the error containerd's snapshots service gives for any other name. */
  synchronized void requireLoaded(String snapshotter) {
    if (snapshotter.isEmpty()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("snapshotter argument missing: invalid argument")
          .asRuntimeException();
    }
    Plugin p = snapshotters.get(snapshotter);
    if (p == null || p.hasInitErr()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("snapshotter not loaded: " + snapshotter + ": invalid argument")
          .asRuntimeException();
    }
  }

  void version(String version, String revision) {
    this.version = version;
    this.revision = revision;
  }

  String version() {
    return version;
  }

  String revision() {
    return revision;
  }
}
