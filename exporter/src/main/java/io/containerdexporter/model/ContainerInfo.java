package io.containerdexporter.model;

import java.time.Instant;
import java.util.Map;

/** A container's metadata, as containerd's Containers service lists it (the parts the exporter uses). */
public record ContainerInfo(
    String namespace,
    String id,
    String image,
    Map<String, String> labels,
    String runtime,
    String snapshotter,
    String snapshotKey,
    Instant createdAt) {

  public ContainerInfo {
    labels = Map.copyOf(labels);
  }
}
