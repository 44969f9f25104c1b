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
      // Re-list, so labels are fresh after an outage and containers born meanwhile are known.
      index.replaceNamespace(ns, client.containers(ns));
      for (TaskInfo task : client.tasks(ns)) {
        Optional<ContainerInfo> container = index.get(ns, task.containerId());
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
