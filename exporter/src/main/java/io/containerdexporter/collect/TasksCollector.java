package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Tasks per namespace and status (Tasks.List, from the round's view); every status is present, 0
 * when none. Also how the listing went: its duration and the tasks containerd stopped listing (see
 * {@link UnlistedTasks}), the signs of a hung shim.
 */
public final class TasksCollector implements Collector {

  static final FamilySpec TASKS =
      FamilySpec.gauge(
          "containerd_tasks",
          "Tasks in the containerd namespace by status (created, running, stopped, paused, pausing, unknown).",
          "containerd_namespace",
          "status");

  static final FamilySpec UNLISTED =
      FamilySpec.counter(
          "containerd_exporter_tasks_unlisted_total",
          "Tasks containerd stopped listing while their container stays and no exit or delete event came for them: "
              + "containerd lists a task whose shim does not answer within 2 s as unknown, or leaves it out, so this is how a hung shim shows "
              + "(counted one round after it went missing).",
          "containerd_namespace");
  static final FamilySpec LIST_DURATION =
      FamilySpec.gauge(
          "containerd_exporter_tasks_list_duration_seconds",
          Unit.SECONDS,
          "How long containerd took to answer Tasks.List for the namespace in the latest round; it waits up to 2 s "
              + "on each shim that does not answer, so 2 s or more means a hung shim.",
          "containerd_namespace");

  public TasksCollector() {}

  @Override
  public String name() {
    return "tasks";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(TASKS, UNLISTED, LIST_DURATION);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder tasks = TASKS.builder();
    FamilyBuilder unlisted = UNLISTED.builder();
    FamilyBuilder listDuration = LIST_DURATION.builder();
    for (String namespace : scope.namespaces()) {
      RoundView.TaskListing listing = scope.view().listing(namespace);
      unlisted.add(listing.unlistedTotal(), namespace);
      listDuration.add(listing.took().toNanos() / 1e9, namespace);
      Map<TaskStatus, Integer> byStatus = new EnumMap<>(TaskStatus.class);
      for (TaskStatus s : TaskStatus.values()) {
        byStatus.put(s, 0);
      }
      for (TaskInfo task : scope.view().tasks(namespace)) {
        byStatus.merge(task.status(), 1, Integer::sum);
      }
      byStatus.forEach((status, count) -> tasks.add(count, namespace, status.label()));
    }
    return List.of(tasks.build(), unlisted.build(), listDuration.build());
  }
}
