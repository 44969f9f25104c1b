package io.containerdexporter.model;

import java.time.Instant;
import java.util.Map;

/**
 * A container's metadata, as containerd's Containers service lists it (the parts the exporter
 * uses).
 *
 * @param cgroupsPath the OCI spec's {@code linux.cgroupsPath} ("" if the spec has none): a path for
 *     the cgroupfs driver, {@code slice:prefix:name} for the systemd driver
 * @param annotations the OCI spec's annotations (CRI puts pod and container names there)
 * @param resources the OCI spec's resource limits
 * @param network whether the spec gives it a network namespace, or the host's
 */
public record ContainerInfo(
    String namespace,
    String id,
    String image,
    Map<String, String> labels,
    String runtime,
    String snapshotter,
    String snapshotKey,
    Instant createdAt,
    String cgroupsPath,
    Map<String, String> annotations,
    SpecResources resources,
    NetworkNamespace network) {

  public ContainerInfo {
    labels = Map.copyOf(labels);
    annotations = Map.copyOf(annotations);
  }

  /** What a /containers/create event tells about a container (no labels, no spec). */
  public static ContainerInfo fromCreateEvent(
      String namespace, String id, String image, String runtime) {
    return new ContainerInfo(
        namespace,
        id,
        image,
        Map.of(),
        runtime,
        "",
        "",
        Instant.EPOCH,
        "",
        Map.of(),
        SpecResources.NONE,
        NetworkNamespace.UNKNOWN);
  }
}
