package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ContainerInfo;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.List;

/** Containers per containerd namespace (Containers.ListStream). */
public final class ContainersCollector implements Collector {

  static final FamilySpec CONTAINERS = FamilySpec.gauge("containerd_containers",
      "Containers in the containerd namespace, with or without a task.", "containerd_namespace");

  private final ContainerdClient client;
  private final ContainerIndex index;

  /** @param index filled with what each poll lists, for the event path's labels */
  public ContainersCollector(ContainerdClient client, ContainerIndex index) {
    this.client = client;
    this.index = index;
  }

  @Override
  public String name() {
    return "containers";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(CONTAINERS);
  }

  @Override
  public List<MetricSnapshot> collect(PollScope scope) {
    FamilyBuilder containers = CONTAINERS.builder();
    for (String namespace : scope.namespaces()) {
      List<ContainerInfo> listed = client.containers(namespace);
      index.replaceNamespace(namespace, listed);
      containers.add(listed.size(), namespace);
    }
    index.retainNamespaces(scope.namespaces());
    return List.of(containers.build());
  }
}
