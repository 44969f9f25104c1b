package io.containerdexporter.collect;

import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each container's task status now, kube-state-metrics style (one series per status, 1 on the
 * current one), which cAdvisor lacks: {@code created}, {@code running}, {@code paused} ({@code
 * pausing} too), {@code stopped}, {@code none} (no task, or one whose status containerd cannot
 * tell). From the round's listing, so it agrees with {@code containerd_tasks}.
 */
public final class ContainerStatusCollector implements Collector {

  static final List<String> STATUSES = List.of("created", "running", "paused", "stopped", "none");

  static final FamilySpec TASK_STATUS =
      FamilySpec.gauge(
          "containerd_container_task_status",
          "Status of the container's task now: 1 for the current status (created, running, paused, stopped, or none "
              + "when it has no task), 0 for the others.",
          ContainerStatsTable.with("status").toArray(String[]::new));

  private final ContainerIndex index;

  ContainerStatusCollector(ContainerIndex index) {
    this.index = index;
  }

  @Override
  public String name() {
    return "container-status";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(TASK_STATUS);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder out = TASK_STATUS.builder();
    for (String namespace : scope.namespaces()) {
      Map<String, TaskStatus> byContainer = new HashMap<>();
      for (TaskInfo task : scope.view().tasks(namespace)) {
        byContainer.put(task.containerId(), task.status());
      }
      for (ContainerInfo container : scope.view().containers(namespace).values()) {
        String now = status(byContainer.get(container.id()));
        var identity = index.identity(container);
        for (String status : STATUSES) {
          out.add(status.equals(now) ? 1 : 0, identity.labelValuesWith(status));
        }
      }
    }
    return List.of(out.build());
  }

  static String status(TaskStatus task) {
    if (task == null) {
      return "none";
    }
    return switch (task) {
      case CREATED -> "created";
      case RUNNING -> "running";
      case PAUSED, PAUSING -> "paused";
      case STOPPED -> "stopped";
      case UNKNOWN -> "none";
    };
  }
}
