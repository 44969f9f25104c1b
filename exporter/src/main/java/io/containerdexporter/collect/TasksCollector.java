package io.containerdexporter.collect;

import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Tasks per namespace and status (Tasks.List, from the round's view); every status is present, 0
 * when none.
 */
public final class TasksCollector implements Collector {

  static final FamilySpec TASKS =
      FamilySpec.gauge(
          "containerd_tasks",
          "Tasks in the containerd namespace by status (created, running, stopped, paused, pausing, unknown).",
          "containerd_namespace",
          "status");

  public TasksCollector() {}

  @Override
  public String name() {
    return "tasks";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(TASKS);
  }

  @Override
  public List<MetricSnapshot> collect(PollScope scope) {
    FamilyBuilder tasks = TASKS.builder();
    for (String namespace : scope.namespaces()) {
      Map<TaskStatus, Integer> byStatus = new EnumMap<>(TaskStatus.class);
      for (TaskStatus s : TaskStatus.values()) {
        byStatus.put(s, 0);
      }
      for (TaskInfo task : scope.view().tasks(namespace)) {
        byStatus.merge(task.status(), 1, Integer::sum);
      }
      byStatus.forEach((status, count) -> tasks.add(count, namespace, status.label()));
    }
    return List.of(tasks.build());
  }
}
