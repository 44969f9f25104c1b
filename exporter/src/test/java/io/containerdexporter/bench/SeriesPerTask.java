package io.containerdexporter.bench;

import io.containerdexporter.it.MetricsText;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How many series a scrape holds per task: series are a task's when they carry its cAdvisor-style
 * {@code name} (the container id) with an {@code id} (its cgroup); a task is a sandbox when none of
 * its series names a Kubernetes container (pause, or a plain containerd task with no CRI labels).
 */
record SeriesPerTask(int series, int tasks, Distribution app, Distribution sandbox) {

  private static final Set<String> NO_CONTAINER = Set.of("", "POD");

  static SeriesPerTask of(MetricsText scrape) {
    Map<String, Integer> perTask = new HashMap<>();
    Map<String, Boolean> isApp = new HashMap<>();
    for (MetricsText.Sample s : scrape.samples()) {
      String name = s.labels().get("name");
      if (name == null || name.isEmpty() || !s.labels().containsKey("id")) {
        continue;
      }
      perTask.merge(name, 1, Integer::sum);
      boolean app = !NO_CONTAINER.contains(s.labels().getOrDefault("container", ""));
      isApp.merge(name, app, Boolean::logicalOr);
    }
    List<Double> app = new ArrayList<>();
    List<Double> sandbox = new ArrayList<>();
    perTask.forEach((task, n) -> (isApp.get(task) ? app : sandbox).add((double) n));
    return new SeriesPerTask(
        scrape.samples().size(), perTask.size(), Distribution.of(app), Distribution.of(sandbox));
  }
}
