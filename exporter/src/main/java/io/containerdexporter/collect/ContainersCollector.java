package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import java.util.List;

/** Containers per containerd namespace (Containers.ListStream, from the round's view). */
public final class ContainersCollector implements Collector {

  static final FamilySpec CONTAINERS =
      FamilySpec.gauge(
          "containerd_containers",
          "Containers in the containerd namespace, with or without a task.",
          "containerd_namespace");

  public ContainersCollector() {}

  @Override
  public String name() {
    return "containers";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(CONTAINERS);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder containers = CONTAINERS.builder();
    for (String namespace : scope.namespaces()) {
      containers.add(scope.view().containers(namespace).size(), namespace);
    }
    return List.of(containers.build());
  }
}
