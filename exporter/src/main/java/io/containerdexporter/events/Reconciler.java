package io.containerdexporter.events;

import io.containerdexporter.cgroup.CgroupPaths;
import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.TaskInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Recovers what no event told us, each time the stream is established: the first time (the gap is
 * the time since the exporter started) as after a reconnect (the gap is the outage). It lists every
 * namespace's containers and tasks and reads each task's kernel OOM-kill counter first, and only
 * then applies it all to {@link EventState} in one step: a reconcile that fails part-way
 * (containerd slow or gone) changes nothing, so no baseline is ever taken from an incomplete one.
 * It only reads: the container index is the poller's to write. docs/events.md walks through it.
 */
final class Reconciler {

  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

  /**
   * One task as listed, with its container (if still listed) and its cgroup's kernel OOM-kill
   * counter.
   */
  record TaskObservation(
      String namespace,
      String containerId,
      Optional<ContainerInfo> container,
      OptionalLong kernelOomKills,
      TaskInfo task) {}

  private final ContainerdClient client;
  private final Supplier<List<String>> namespaces;
  private final CgroupReader cgroups;
  private final EventState state;

  Reconciler(
      ContainerdClient client,
      Supplier<List<String>> namespaces,
      CgroupReader cgroups,
      EventState state) {
    this.client = client;
    this.namespaces = namespaces;
    this.cgroups = cgroups;
    this.state = state;
  }

  /**
   * @param gapStart since when events may have been missed: the exporter's start, or when the
   *     stream was lost
   * @throws RuntimeException when containerd fails a call; then nothing was applied
   */
  EventState.Recovered reconcile(Instant gapStart) {
    List<String> listed = namespaces.get();
    List<TaskObservation> observed = new ArrayList<>();
    for (String ns : listed) {
      Map<String, ContainerInfo> containers =
          client.containers(ns).stream()
              .collect(Collectors.toMap(ContainerInfo::id, Function.identity(), (a, b) -> b));
      for (TaskInfo task : client.tasks(ns)) {
        Optional<ContainerInfo> container = Optional.ofNullable(containers.get(task.containerId()));
        OptionalLong kernel =
            container
                .map(c -> cgroups.oomKills(CgroupPaths.fromSpec(c.cgroupsPath())))
                .orElse(OptionalLong.empty());
        observed.add(new TaskObservation(ns, task.containerId(), container, kernel, task));
      }
    }
    EventState.Recovered recovered = state.reconcile(observed, listed, gapStart);
    if (recovered.ooms() > 0 || recovered.exits() > 0) {
      LOG.info(
          "event stream established; recovered "
              + recovered.ooms()
              + " OOM kill(s) and "
              + recovered.exits()
              + " exit(s) that no event told of since "
              + gapStart);
    }
    return recovered;
  }
}
