package io.containerdexporter.collect;

import io.containerdexporter.config.NamespaceFilter;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lists, once per round, what every collector of the round works from: the watched namespaces, each
 * one's containers then tasks, and the snapshotters; then hands the containers to the container
 * index, whichever collectors are switched on. Containers are listed before tasks, so a task whose
 * container is missing was created in between and waits for the next round, while every listed task
 * of a container that exists has its container. Each Tasks.List is timed, and tasks containerd
 * stopped listing are followed ({@link UnlistedTasks}): both are how a hung shim shows.
 */
public final class RoundLister {

  private final ContainerdClient client;
  private final NamespaceFilter namespaces;
  private final ContainerIndex index;
  private final UnlistedTasks unlisted;

  public RoundLister(ContainerdClient client, NamespaceFilter namespaces, ContainerIndex index) {
    this.client = client;
    this.namespaces = namespaces;
    this.index = index;
    this.unlisted = new UnlistedTasks(index.taskEnds());
  }

  /** Throws if containerd cannot be listed; the poller then keeps every collector's last values. */
  public RoundView list(Instant now) {
    long mark = index.mark();
    List<String> watched =
        client.namespaces().stream().filter(namespaces::accepts).sorted().toList();
    Map<String, RoundView.NamespaceView> byNamespace = new LinkedHashMap<>();
    Map<String, List<ContainerInfo>> containers = new LinkedHashMap<>();
    for (String namespace : watched) {
      List<ContainerInfo> listed = client.containers(namespace);
      long listedAt = index.taskEnds().now();
      List<TaskInfo> tasks = client.tasks(namespace);
      Duration took = Duration.ofNanos(index.taskEnds().now() - listedAt);
      containers.put(namespace, listed);
      RoundView.NamespaceView view = RoundView.NamespaceView.of(listed, tasks);
      byNamespace.put(
          namespace,
          view.with(unlisted.update(namespace, listedAt, took, view.containers(), tasks)));
    }
    unlisted.retain(java.util.Set.copyOf(watched));
    index.applyRound(mark, java.util.Set.copyOf(watched), containers);
    return new RoundView(now, watched, byNamespace, RoundView.Listing.of(client::snapshotters));
  }
}
