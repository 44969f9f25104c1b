package io.containerdexporter.containerd;

import com.google.protobuf.Timestamp;
import io.containerdexporter.containerd.api.services.containers.v1.Container;
import io.containerdexporter.model.ContainerInfo;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Container messages as {@link ContainerInfo}, remembering each one by (namespace, id, updated_at):
 * a container's labels, image and spec only change through an update, which moves updated_at, so
 * its OCI spec (a JSON document of several KiB) is parsed once per version instead of once per
 * poll. Bounded: each full listing of a namespace forgets the containers it no longer shows.
 */
final class ContainerMapper {

  private record Key(String namespace, String id) {}

  private record Known(Timestamp updatedAt, ContainerInfo container) {}

  private final Map<Key, Known> known = new ConcurrentHashMap<>();

  ContainerInfo map(String namespace, Container c) {
    Key key = new Key(namespace, c.getId());
    Known k = known.get(key);
    if (k != null && k.updatedAt().equals(c.getUpdatedAt())) {
      return k.container();
    }
    ContainerInfo info = parse(namespace, c);
    known.put(key, new Known(c.getUpdatedAt(), info));
    return info;
  }

  /** After a full listing of {@code namespace}: forget what it did not show. */
  void retain(String namespace, Collection<ContainerInfo> listed) {
    Set<String> ids = listed.stream().map(ContainerInfo::id).collect(Collectors.toSet());
    known.keySet().removeIf(k -> k.namespace().equals(namespace) && !ids.contains(k.id()));
  }

  /** Forgets namespaces no longer listed. */
  void retainNamespaces(Collection<String> namespaces) {
    Set<String> keep = Set.copyOf(namespaces);
    known.keySet().removeIf(k -> !keep.contains(k.namespace()));
  }

  int size() {
    return known.size();
  }

  static ContainerInfo parse(String namespace, Container c) {
    OciSpecs.Parsed spec = OciSpecs.parse(c.getSpec().getValue());
    return new ContainerInfo(
        namespace,
        c.getId(),
        c.getImage(),
        c.getLabelsMap(),
        c.getRuntime().getName(),
        c.getSnapshotter(),
        c.getSnapshotKey(),
        ProtoMapping.instant(c.getCreatedAt()),
        spec.cgroupsPath(),
        spec.annotations(),
        spec.resources(),
        spec.network());
  }
}
