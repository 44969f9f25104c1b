package io.containerdexporter.events;

import io.containerdexporter.cgroup.CgroupPaths;
import io.containerdexporter.cgroup.OomKillCounter;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs each time the event stream is (re)established. At start it takes the kernel's OOM-kill counters and the tasks'
 * last exits as the baseline (history is not ours to count). After a reconnect it compares each task's kernel
 * OOM-kill counter with what we counted and adds the difference once, and counts exits newer than the loss that no
 * event told us about. docs/events.md walks through it.
 */
final class Reconciler {

  private static final Logger LOG = Logger.getLogger(Reconciler.class.getName());

  private final ContainerdClient client;
  private final Supplier<List<String>> namespaces;
  private final ContainerIndex index;
  private final OomKillCounter oomKills;
  private final EventState state;

  Reconciler(ContainerdClient client, Supplier<List<String>> namespaces, ContainerIndex index, OomKillCounter oomKills,
      EventState state) {
    this.client = client;
    this.namespaces = namespaces;
    this.index = index;
    this.oomKills = oomKills;
    this.state = state;
  }

  /** @param lostAt when the stream was lost; empty on the first subscription */
  void reconcile(Optional<Instant> lostAt) {
    long ooms = 0;
    long exits = 0;
    for (String ns : namespaces.get()) {
      // Listed afresh (read-only: the index is the poller's and the event path's), so containers born while the
      // stream was down are known here.
      java.util.Map<String, ContainerInfo> listed = new java.util.HashMap<>();
      client.containers(ns).forEach(c -> listed.put(c.id(), c));
      for (TaskInfo task : client.tasks(ns)) {
        Optional<ContainerInfo> container = Optional.ofNullable(listed.get(task.containerId()));
        OptionalLong kernel = container.map(c -> oomKills.oomKills(CgroupPaths.fromSpec(c.cgroupsPath())))
            .orElse(OptionalLong.empty());
        if (lostAt.isEmpty()) {
          state.baseline(ns, task.containerId(), kernel.orElse(0), task.exitedAt());
          continue;
        }
        Instant lost = lostAt.get();
        boolean bornWhileAway = container.map(c -> c.createdAt().isAfter(lost)).orElse(false);
        if (kernel.isPresent()) {
          ooms += state.reconcileOoms(ns, task.containerId(), kernel.getAsLong(), bornWhileAway);
        }
        if (task.status() == TaskStatus.STOPPED && task.exitedAt().isPresent()
            && task.exitedAt().get().isAfter(lost)
            && state.reconcileExit(ns, task.containerId(), task.exitStatus(), task.exitedAt().get())) {
          exits++;
        }
      }
    }
    if (lostAt.isPresent()) {
      LOG.info("event stream re-established; recovered " + ooms + " OOM(s) and " + exits
          + " exit(s) that happened while it was down");
    }
  }
}
