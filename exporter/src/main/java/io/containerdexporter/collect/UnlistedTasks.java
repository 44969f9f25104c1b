package io.containerdexporter.collect;

import io.containerdexporter.index.TaskEnds;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Tasks containerd stopped listing while their container stays and no exit came for them: what a
 * hung shim looks like from outside. containerd asks every shim for its State in Tasks.List and
 * gives up after its own 2 s ({@code io.containerd.timeout.task.state}): it then lists the task
 * with status UNKNOWN (1.6, as ContainerdFaultsIT sees) or leaves it out, so nothing fails and the
 * task's process just vanishes. Either way containerd did not answer for the task.
 *
 * <p>A task listed with a process (running, paused, pausing) in one round and not answered for in
 * the next, its container still listed, is a suspect at once (the api stats source leaves it out of
 * the namespace-wide call). It is counted when it is still missing one round later with still no
 * exit or delete event since it was last listed: the grace keeps an exit whose event is a few
 * milliseconds behind the listing from being counted. Nothing is counted when the event stream was
 * down meanwhile (an exit may have gone unseen). A suspect is cleared when containerd lists the
 * task again, its container goes, or its end is seen.
 */
final class UnlistedTasks {

  private static final Logger LOG = Logger.getLogger(UnlistedTasks.class.getName());

  /** A task missing from the listing: when it was last listed, and whether it was counted. */
  private static final class Missing {
    final long lastListed;
    boolean counted;

    Missing(long lastListed) {
      this.lastListed = lastListed;
    }
  }

  /** One namespace's memory between rounds. */
  private static final class Namespace {
    /** Container ids whose task had a process in the latest listing, and when that began. */
    Set<String> withProcess = Set.of();

    long listedAt;
    final Map<String, Missing> missing = new HashMap<>();
    long total;
  }

  private final TaskEnds ends;
  private final Map<String, Namespace> namespaces = new HashMap<>();

  UnlistedTasks(TaskEnds ends) {
    this.ends = ends;
  }

  /**
   * Takes one namespace's listing: {@code listedAt} is when its Tasks.List began (on the {@link
   * TaskEnds} clock). Called by one round at a time.
   */
  synchronized RoundView.TaskListing update(
      String namespace,
      long listedAt,
      Duration took,
      Map<String, ContainerInfo> containers,
      Iterable<TaskInfo> tasks) {
    Namespace ns = namespaces.computeIfAbsent(namespace, n -> new Namespace());
    Set<String> answered = new HashSet<>();
    Set<String> withProcess = new HashSet<>();
    for (TaskInfo t : tasks) {
      if (t.status() == TaskStatus.UNKNOWN && ns.withProcess.contains(t.containerId())) {
        // No State from its shim in time: not answered for, and still the process it had.
        withProcess.add(t.containerId());
        continue;
      }
      answered.add(t.containerId());
      if (t.status() == TaskStatus.RUNNING
          || t.status() == TaskStatus.PAUSED
          || t.status() == TaskStatus.PAUSING) {
        withProcess.add(t.containerId());
      }
    }
    ns.missing
        .entrySet()
        .removeIf(
            e -> {
              String id = e.getKey();
              Missing m = e.getValue();
              if (answered.contains(id)
                  || !containers.containsKey(id)
                  || ends.endedSince(namespace, id, m.lastListed)
                  || ends.blindSince(m.lastListed)) {
                return true;
              }
              if (!m.counted) {
                m.counted = true;
                ns.total++;
                LOG.warning(
                    "containerd stopped listing the task of "
                        + namespace
                        + "/"
                        + id
                        + " without an exit while its container stays: its shim is likely hung"
                        + " (containerd leaves out a task whose shim does not answer within 2 s);"
                        + " its series are left out until containerd lists it again");
              }
              return false;
            });
    for (String id : ns.withProcess) {
      if (!answered.contains(id)
          && containers.containsKey(id)
          && !ns.missing.containsKey(id)
          && !ends.endedSince(namespace, id, ns.listedAt)
          && !ends.blindSince(ns.listedAt)) {
        ns.missing.put(id, new Missing(ns.listedAt));
      }
    }
    ns.withProcess = withProcess;
    ns.listedAt = listedAt;
    return new RoundView.TaskListing(took, ns.missing.keySet(), ns.total);
  }

  /** Forgets namespaces no longer watched, and ends older than any round still asks about. */
  synchronized void retain(Set<String> watched) {
    namespaces.keySet().retainAll(watched);
    long oldest =
        namespaces.values().stream()
            .flatMap(
                n ->
                    java.util.stream.Stream.concat(
                        java.util.stream.Stream.of(n.listedAt),
                        n.missing.values().stream().map(m -> m.lastListed)))
            .min(Long::compare)
            .orElse(ends.now());
    ends.forgetBefore(oldest);
  }
}
