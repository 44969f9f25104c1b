package io.containerdexporter.events;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The counters the event path keeps, updated as events arrive (an OOM shows on the next scrape, not the next poll)
 * and read by the exposition. Counters only go up for as long as the process lives; series of containers that are
 * gone stay for {@code retention}, so Prometheus sees their last increment, and are then dropped.
 *
 * <p>One lock guards everything: the event thread holds it for microseconds per event, a scrape for one copy.
 */
public final class EventState {

  /** Distinct unknown topics counted under their own name before the rest are counted as "other". */
  static final int MAX_UNKNOWN_TOPICS = 32;

  /** How long a reconciler credit may wait for a late, duplicate OOM event. */
  static final Duration CREDIT_WINDOW = Duration.ofMinutes(5);

  record RestartKey(String podNamespace, String pod, String container) {}

  private static final class RestartCounter {
    long restarts;
    String lastId;
    /** A pod deleted and created again under the same name (a StatefulSet rollout) starts over: not a restart. */
    String lastPodUid;
    Instant goneSince;
  }

  private final Clock clock;
  private final Duration retention;
  private final ContainerIndex index;
  /** Looks a container's identity up (index, else containerd with a deadline, else what we have). */
  private final BiFunction<String, String, ContainerIdentity> identify;

  private final Map<ContainerIndex.Key, ContainerCounters> containers = new LinkedHashMap<>();
  private final Map<RestartKey, RestartCounter> restarts = new LinkedHashMap<>();
  private final Map<List<String>, Long> events = new HashMap<>();
  private final Map<List<String>, Long> imageEvents = new HashMap<>();
  private final Map<String, Long> decodeErrors = new HashMap<>();
  private final Map<String, Long> recovered = new HashMap<>();
  private final java.util.Set<String> unknownTopics = new java.util.HashSet<>();
  private boolean streamUp;
  private long reconnects;
  private Instant lastEvent;

  public EventState(Clock clock, Duration retention, ContainerIndex index,
      BiFunction<String, String, ContainerIdentity> identify) {
    this.clock = clock;
    this.retention = retention;
    this.index = index;
    this.identify = identify;
    for (EventDecoder.Failure f : EventDecoder.Failure.values()) {
      decodeErrors.put(f.label(), 0L);
    }
    recovered.put("oom", 0L);
    recovered.put("exit", 0L);
  }

  // ---------------------------------------------------------------- the event path

  /** Every envelope, decoded or not. Topics outside containerd's set are bounded to keep cardinality in check. */
  public synchronized void envelope(String namespace, String topic) {
    String label = topic;
    if (!EventDecoder.isKnownTopic(topic) && !unknownTopics.contains(topic)) {
      if (unknownTopics.size() < MAX_UNKNOWN_TOPICS && topic.matches("/[a-z0-9_./-]{1,64}")) {
        unknownTopics.add(topic);
      } else {
        label = "other";
      }
    }
    events.merge(List.of(namespace, label), 1L, Long::sum);
    lastEvent = clock.instant();
  }

  public synchronized void decodeError(EventDecoder.Failure failure) {
    decodeErrors.merge(failure.label(), 1L, Long::sum);
  }

  /** Applies one decoded event. {@code published} is the envelope's timestamp (when the shim published it). */
  public synchronized void apply(String namespace, ContainerEvent event, Instant published) {
    // Java 17: no pattern matching for switch yet, so a chain of instanceof.
    if (event instanceof ContainerEvent.TaskOom oom) {
      ContainerCounters c = counters(namespace, oom.containerId());
      if (c.oomCredits > 0 && published.isBefore(c.reconciledAt)) {
        c.oomCredits--; // the reconciler already counted this one while the stream was down
      } else {
        c.ooms++;
      }
    } else if (event instanceof ContainerEvent.TaskExit exit) {
      if (exit.isInit()) {
        ContainerCounters c = counters(namespace, exit.containerId());
        if (exit.exitedAt().isAfter(c.lastCountedExit)) {
          c.countExit(exit.exitStatus(), exit.exitedAt());
        }
      }
    } else if (event instanceof ContainerEvent.TaskStart start) {
      ContainerCounters c = counters(namespace, start.containerId());
      c.starts++;
      countRestart(namespace, start.containerId(), c.identity);
    } else if (event instanceof ContainerEvent.ContainerCreated created) {
      ContainerCounters c = counters(namespace, created.id());
      c.goneSince = null;
      c.newCgroup();
    } else if (event instanceof ContainerEvent.ContainerUpdated updated) {
      ContainerCounters c = containers.get(new ContainerIndex.Key(namespace, updated.id()));
      if (c != null) {
        c.identity = identify.apply(namespace, updated.id());
      }
    } else if (event instanceof ContainerEvent.ContainerDeleted deleted) {
      ContainerCounters c = containers.get(new ContainerIndex.Key(namespace, deleted.id()));
      if (c != null && c.goneSince == null) {
        c.goneSince = clock.instant();
      }
    } else if (event instanceof ContainerEvent.ImageChanged image) {
      imageEvents.merge(List.of(namespace, image.action()), 1L, Long::sum);
    }
  }

  /**
   * kubelet restarts a container by creating a new one with the same pod and container name: a task start under a
   * new id for a known (pod, container) is a restart. For the first start we see, the previous container, if kubelet
   * still keeps it, is in the index.
   */
  private void countRestart(String namespace, String id, ContainerIdentity identity) {
    if (!identity.isKubernetesContainer()) {
      return;
    }
    RestartKey key = new RestartKey(identity.podNamespace(), identity.pod(), identity.container());
    RestartCounter r = restarts.computeIfAbsent(key, k -> new RestartCounter());
    if (r.lastId == null || !identity.podUid().equals(r.lastPodUid)) {
      boolean predecessorKept = index.all().stream().anyMatch(c -> c.namespace().equals(namespace)
          && !c.id().equals(id) && sameKey(ContainerIdentity.of(c), key)
          && ContainerIdentity.of(c).podUid().equals(identity.podUid()));
      if (predecessorKept) {
        r.restarts++;
      }
    } else if (!r.lastId.equals(id)) {
      r.restarts++;
    }
    r.lastId = id;
    r.lastPodUid = identity.podUid();
    r.goneSince = null;
  }

  private static boolean sameKey(ContainerIdentity i, RestartKey key) {
    return i.isKubernetesContainer() && i.podNamespace().equals(key.podNamespace()) && i.pod().equals(key.pod())
        && i.container().equals(key.container());
  }

  private ContainerCounters counters(String namespace, String id) {
    return containers.computeIfAbsent(new ContainerIndex.Key(namespace, id),
        k -> new ContainerCounters(identify.apply(namespace, id)));
  }

  // ---------------------------------------------------------------- the stream

  public synchronized void streamUp(boolean up) {
    this.streamUp = up;
  }

  public synchronized void reconnected() {
    reconnects++;
  }

  // ---------------------------------------------------------------- the reconciler

  /** Starts counting a container the reconciler found: OOMs before now are history, not ours to count. */
  public synchronized void baseline(String namespace, String id, long kernelOomKills, Optional<Instant> lastExit) {
    if (containers.containsKey(new ContainerIndex.Key(namespace, id))) {
      return;
    }
    ContainerCounters c = counters(namespace, id);
    c.oomKillBaseline = kernelOomKills;
    lastExit.ifPresent(at -> c.lastCountedExit = at);
  }

  /**
   * After a reconnect: the kernel says the cgroup saw {@code kernelOomKills} OOM kills. Whatever we did not count is
   * added once, and remembered as credits against late duplicates. Returns how many were added.
   */
  public synchronized long reconcileOoms(String namespace, String id, long kernelOomKills, boolean bornWhileAway) {
    ContainerCounters c = containers.get(new ContainerIndex.Key(namespace, id));
    if (c == null) {
      c = counters(namespace, id);
      // Born while we were away: every OOM it had is one we missed. Otherwise its past is history.
      c.oomKillBaseline = bornWhileAway ? 0 : kernelOomKills;
    }
    long missed = kernelOomKills - c.oomKillBaseline - c.oomsSinceBaseline();
    if (missed <= 0) {
      return 0;
    }
    c.ooms += missed;
    c.oomCredits = missed;
    c.reconciledAt = clock.instant();
    recovered.merge("oom", missed, Long::sum);
    return missed;
  }

  /** After a reconnect: a task that exited while we were away, if its exit is newer than any we counted. */
  public synchronized boolean reconcileExit(String namespace, String id, int exitStatus, Instant exitedAt) {
    ContainerCounters c = counters(namespace, id);
    if (!exitedAt.isAfter(c.lastCountedExit)) {
      return false;
    }
    c.countExit(exitStatus, exitedAt);
    recovered.merge("exit", 1L, Long::sum);
    return true;
  }

  // ---------------------------------------------------------------- the exposition

  /** An immutable copy for rendering. Also drops series whose container has been gone for longer than retention. */
  public synchronized EventCounts counts() {
    Instant now = clock.instant();
    expire(now);
    List<EventCounts.ContainerSeries> series = new ArrayList<>(containers.size());
    for (ContainerCounters c : containers.values()) {
      series.add(new EventCounts.ContainerSeries(c.identity, c.ooms, c.starts, Map.copyOf(c.exitsByCode),
          Optional.ofNullable(c.lastExitCode), Optional.ofNullable(c.lastExitAt)));
    }
    Map<RestartKey, Long> restartCounts = new LinkedHashMap<>();
    restarts.forEach((k, v) -> restartCounts.put(k, v.restarts));
    return new EventCounts(series, restartCounts, Map.copyOf(events), Map.copyOf(imageEvents),
        Map.copyOf(decodeErrors), Map.copyOf(recovered), streamUp, reconnects, Optional.ofNullable(lastEvent));
  }

  private void expire(Instant now) {
    containers.forEach((key, c) -> {
      boolean present = index.contains(key.namespace(), key.id());
      if (present) {
        c.goneSince = null;
      } else if (c.goneSince == null) {
        c.goneSince = now;
      }
    });
    containers.values().removeIf(c -> c.goneSince != null && Duration.between(c.goneSince, now).compareTo(retention) > 0);
    restarts.forEach((key, r) -> {
      boolean present = containers.values().stream().anyMatch(c -> c.goneSince == null && sameKey(c.identity, key));
      if (present) {
        r.goneSince = null;
      } else if (r.goneSince == null) {
        r.goneSince = now;
      }
    });
    restarts.values().removeIf(r -> r.goneSince != null && Duration.between(r.goneSince, now).compareTo(retention) > 0);
    // Credits for duplicates that never came are void after a while: a later event is a new OOM.
    containers.values().stream()
        .filter(c -> c.oomCredits > 0 && Duration.between(c.reconciledAt, now).compareTo(CREDIT_WINDOW) > 0)
        .forEach(c -> c.oomCredits = 0);
  }
}
