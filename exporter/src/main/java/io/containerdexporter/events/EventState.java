package io.containerdexporter.events;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RecentEvent;
import io.containerdexporter.model.RecentEvents;
import io.containerdexporter.model.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The counters the event path keeps, updated as events arrive (an OOM shows on the next scrape, not
 * the next poll) and read by the exposition. Counters only go up for as long as the process lives;
 * series of containers that are gone stay for {@code retention}, so Prometheus sees their last
 * increment, and are then dropped by {@link #prune}, which the subscriber runs on a timer (whether
 * anyone scrapes or not).
 *
 * <p>One lock guards everything, and nothing under it does I/O: every containerd lookup and cgroup
 * read happens on the event thread before a method here is called, and the container index (read
 * for labels) never blocks. So a scrape waits at most for one event's bookkeeping, never for
 * containerd.
 *
 * <p>OOM kills are counted in one unit, processes killed by the kernel's OOM killer, as the
 * kernel's {@code oom_kill} counter of the container's cgroup says: the live path and the
 * reconciler both add what the kernel counted beyond {@link ContainerCounters#oomKillsAccounted},
 * so a duplicate event or a second reconcile adds nothing.
 */
public final class EventState {

  /**
   * Distinct unknown topics counted under their own name before the rest are counted as "other".
   */
  static final int MAX_UNKNOWN_TOPICS = 32;

  record RestartKey(String podNamespace, String pod, String container) {}

  private static final class RestartCounter {
    long restarts;
    String lastId;

    /**
     * A pod deleted and created again under the same name (a StatefulSet rollout) starts over: not
     * a restart.
     */
    String lastPodUid;

    Instant goneSince;
  }

  /** What {@link #reconcile} recovered. */
  public record Recovered(long ooms, long exits) {}

  private final ImageCreated imageCreated;
  private final Clock clock;
  private final Duration retention;
  private final ContainerIndex index;

  /**
   * When the exporter began to watch: a container created after it has no history we may ignore.
   */
  private final Instant watchingSince;

  private final Map<ContainerIndex.Key, ContainerCounters> containers = new LinkedHashMap<>();
  private final Map<RestartKey, RestartCounter> restarts = new LinkedHashMap<>();
  private final Map<List<String>, Long> events = new HashMap<>();
  private final Map<List<String>, Long> imageEvents = new HashMap<>();
  private final Map<String, Long> decodeErrors = new HashMap<>();
  private final Map<String, Long> recovered = new HashMap<>();
  private final Set<String> unknownTopics = new HashSet<>();

  /**
   * (failure, topic) pairs already logged; topics outside containerd's set share one key, so this
   * stays small.
   */
  private final Set<String> loggedDecodeFailures = new HashSet<>();

  /**
   * containerd namespaces deleted (or no longer listed), and since when: their event counts go
   * after retention.
   */
  private final Map<String, Instant> namespacesGoneSince = new HashMap<>();

  /**
   * Grows in every method that may change what {@link #counts} returns (a few more than needed):
   * the exposition renders the event families again only when it moved, so a scrape between two
   * events copies nothing. Written under the lock, read without it.
   */
  private volatile long changes;

  private boolean streamUp;
  private final RecentEvents recentOoms = new RecentEvents();
  private final RecentEvents recentExits = new RecentEvents();
  private long reconnects;
  private Instant lastEvent;

  public EventState(Clock clock, Duration retention, ContainerIndex index) {
    this(clock, retention, index, (namespace, name, labels) -> {});
  }

  /** Told of every image record created, on the event thread (pull successes count them). */
  @FunctionalInterface
  public interface ImageCreated {
    void created(String namespace, String name, Map<String, String> labels);
  }

  /**
   * @param imageCreated told of every {@code /images/create}, under the state's lock: it must not
   *     block
   */
  public EventState(
      Clock clock, Duration retention, ContainerIndex index, ImageCreated imageCreated) {
    this.imageCreated = imageCreated;
    this.clock = clock;
    this.retention = retention;
    this.index = index;
    this.watchingSince = clock.instant();
    for (EventDecoder.Failure f : EventDecoder.Failure.values()) {
      decodeErrors.put(f.label(), 0L);
    }
    recovered.put("oom", 0L);
    recovered.put("exit", 0L);
  }

  /**
   * When this state began to count; the first reconcile treats the time since as a gap in the
   * stream.
   */
  public Instant watchingSince() {
    return watchingSince;
  }

  // ---------------------------------------------------------------- the event path

  /**
   * Every envelope, decoded or not. Topics outside containerd's set are bounded to keep cardinality
   * in check.
   */
  public synchronized void envelope(String namespace, String topic) {
    changes++;
    namespacesGoneSince.remove(
        namespace); // an event proves it is there (a /namespaces/delete marks it again)
    events.merge(List.of(namespace, topicLabel(topic)), 1L, Long::sum);
    lastEvent = clock.instant();
  }

  private String topicLabel(String topic) {
    if (EventDecoder.isKnownTopic(topic) || unknownTopics.contains(topic)) {
      return topic;
    }
    if (unknownTopics.size() < MAX_UNKNOWN_TOPICS && topic.matches("/[a-z0-9_./-]{1,64}")) {
      unknownTopics.add(topic);
      return topic;
    }
    return "other";
  }

  /**
   * Counts an event that could not be decoded; returns whether this kind of failure is new (to be
   * logged once).
   */
  public synchronized boolean decodeError(EventDecoder.Failure failure, String topic) {
    changes++;
    decodeErrors.merge(failure.label(), 1L, Long::sum);
    return loggedDecodeFailures.add(
        failure.label() + " " + (EventDecoder.isKnownTopic(topic) ? topic : "*"));
  }

  /**
   * Applies one decoded event. {@code published} is the envelope's timestamp (when the shim
   * published it). OOMs are not counted here but by the {@code oom*} methods, once the event thread
   * has read the kernel's counter.
   */
  public synchronized void apply(String namespace, ContainerEvent event, Instant published) {
    changes++;
    // Java 17: no pattern matching for switch yet, so a chain of instanceof.
    if (event instanceof ContainerEvent.TaskOom oom) {
      ContainerCounters c = counters(namespace, oom.containerId());
      RecentEvent live = recent(c.identity, oom.containerId(), published, OOM_KILLED);
      Instant now = clock.instant();
      if (c.listedRecoveredOom != null
          && (!published.isAfter(c.listedRecoveredOomAt)
              || withinOomWindow(c.listedRecoveredOomAt, now))) {
        // The event of the kill we found: the exit came first, or the shim published it before
        // we found the kill and retried until containerd was back. It says when it happened.
        recentOoms.replace(c.listedRecoveredOom, live);
      } else {
        recentOoms.add(live);
      }
      c.listedOom = live;
      c.listedRecoveredOom = null;
      c.lastOomEventAt = now;
      markExitOomKilled(c);
    } else if (event instanceof ContainerEvent.TaskExit exit) {
      if (exit.isInit()) {
        ContainerCounters c = counters(namespace, exit.containerId());
        c.exitedSinceStart = true;
        if (exit.exitedAt().isAfter(c.lastCountedExit)) {
          c.countExit(exit.exitStatus(), exit.exitedAt());
          if (exit.exitStatus() != 0) {
            c.listedExit =
                recent(
                    c.identity,
                    exit.containerId(),
                    exit.exitedAt(),
                    "exit code " + exit.exitStatus() + (c.oomSinceStart ? OOM_EXIT_SUFFIX : ""));
            recentExits.add(c.listedExit);
          }
        }
      }
    } else if (event instanceof ContainerEvent.TaskStart start) {
      ContainerCounters c = counters(namespace, start.containerId());
      c.starts++;
      c.started();
      countRestart(namespace, start.containerId(), c.identity);
    } else if (event instanceof ContainerEvent.ContainerCreated created) {
      ContainerCounters existing = containers.get(new ContainerIndex.Key(namespace, created.id()));
      if (existing == null) {
        ContainerCounters c =
            counters(
                namespace,
                created.id(),
                ContainerInfo.fromCreateEvent(
                    namespace, created.id(), created.image(), created.runtime()));
        c.newCgroup();
      } else if (existing.deleteSeen) {
        existing.newCgroup();
      }
      // else: a reconcile already listed this very container (its create event was queued behind
      // the reconcile),
      // and what it accounted for stays.
    } else if (event instanceof ContainerEvent.ContainerDeleted deleted) {
      ContainerCounters c = containers.get(new ContainerIndex.Key(namespace, deleted.id()));
      if (c != null) {
        c.deleteSeen = true;
        if (c.goneSince == null) {
          c.goneSince = clock.instant();
        }
      }
    } else if (event instanceof ContainerEvent.ImageChanged image) {
      imageEvents.merge(List.of(namespace, image.action()), 1L, Long::sum);
      if (image.action().equals("create")) {
        imageCreated.created(namespace, image.name(), image.labels());
      }
    } else if (event instanceof ContainerEvent.NamespaceCreated created) {
      namespacesGoneSince.remove(created.name());
    } else if (event instanceof ContainerEvent.NamespaceDeleted deleted) {
      namespacesGoneSince.putIfAbsent(deleted.name(), clock.instant());
    }
    // ContainerUpdated: the subscriber refreshed the index, and the series take their labels from
    // it.
  }

  /**
   * kubelet restarts a container by creating a new one with the same pod and container name: a task
   * start under a new id for a known (pod, container) is a restart. For the first start we see, the
   * previous container, if kubelet still keeps it, is in the index.
   */
  private void countRestart(String namespace, String id, ContainerIdentity identity) {
    if (!identity.isKubernetesContainer()) {
      return;
    }
    RestartKey key = new RestartKey(identity.podNamespace(), identity.pod(), identity.container());
    RestartCounter r = restarts.computeIfAbsent(key, k -> new RestartCounter());
    if (r.lastId == null || !identity.podUid().equals(r.lastPodUid)) {
      boolean predecessorKept =
          index.all().stream()
              .anyMatch(
                  c ->
                      c.namespace().equals(namespace)
                          && !c.id().equals(id)
                          && sameKey(ContainerIdentity.of(c), key)
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
    return i.isKubernetesContainer()
        && i.podNamespace().equals(key.podNamespace())
        && i.pod().equals(key.pod())
        && i.container().equals(key.container());
  }

  private ContainerCounters counters(String namespace, String id) {
    return counters(namespace, id, null);
  }

  /**
   * The container's counters, created on first use. Labels come from the index (never blocks), else
   * from {@code fallback}, else id and namespace only; they are refreshed from the index later. A
   * container the index says was created after we began watching has no OOM history: its kernel
   * counter is all ours to count.
   */
  private ContainerCounters counters(String namespace, String id, ContainerInfo fallback) {
    ContainerIndex.Key key = new ContainerIndex.Key(namespace, id);
    ContainerCounters c = containers.get(key);
    if (c != null) {
      refreshIdentity(key, c);
      return c;
    }
    Optional<ContainerInfo> known = index.get(namespace, id);
    ContainerInfo source =
        known.orElse(
            fallback != null ? fallback : ContainerInfo.fromCreateEvent(namespace, id, "", ""));
    c = new ContainerCounters(index.identity(source));
    c.identitySource = known.orElse(null);
    if (known.isPresent() && known.get().createdAt().isAfter(watchingSince)) {
      c.oomKillsAccounted = 0L;
    }
    containers.put(key, c);
    return c;
  }

  /**
   * Labels are not frozen at the first event: a newer index entry (the poll learned the container)
   * replaces them.
   */
  private void refreshIdentity(ContainerIndex.Key key, ContainerCounters c) {
    Optional<ContainerInfo> known = index.get(key.namespace(), key.id());
    if (known.isPresent() && known.get() != c.identitySource) {
      c.identitySource = known.get();
      c.identity = index.identity(known.get());
    }
  }

  // ---------------------------------------------------------------- OOMs, on the event thread

  /**
   * Whether we know how much of the container's kernel OOM-kill counter is accounted for (creates
   * its series).
   */
  synchronized boolean oomKillsKnown(String namespace, String id) {
    changes++;
    return counters(namespace, id).oomKillsAccounted != null;
  }

  /**
   * For a container with no baseline yet: the kernel's counter as first read for an OOM event is
   * the baseline.
   */
  synchronized void assumeOomKillsAccounted(String namespace, String id, long kernel) {
    changes++;
    ContainerCounters c = counters(namespace, id);
    if (c.oomKillsAccounted == null) {
      c.oomKillsAccounted = kernel;
    }
  }

  /**
   * The kernel's counter read for an OOM event: adds what it counted beyond what is accounted for.
   */
  synchronized long countOomKills(String namespace, String id, long kernel) {
    changes++;
    ContainerCounters c = counters(namespace, id);
    return c.oomKillsAccounted == null ? 0 : c.accountOomKills(kernel);
  }

  /**
   * The kernel's counter read at the exit of the task's init process: a rise no {@code /tasks/oom}
   * told of (the shim lost it) is listed as a recovered OOM kill.
   */
  synchronized long countOomKillsAtExit(String namespace, String id, long kernel) {
    changes++;
    ContainerCounters c = counters(namespace, id);
    if (c.oomKillsAccounted == null) {
      return 0;
    }
    long added = c.accountOomKills(kernel);
    listRecoveredOom(c, id, added);
    return added;
  }

  /**
   * An OOM event whose cgroup cannot be read (gone already, or not on this host, e.g. Kata): the
   * event is the one kill we know of. It is accounted as a kernel kill too, so a reconcile that can
   * read the cgroup later does not count it again. Not so after the init's exit once this run's
   * kill was counted: then the cgroup is gone because the task was deleted, and on cgroup v1 its
   * removal fires the shim's OOM eventfd, which may publish one more {@code /tasks/oom} (EventsIT
   * counted 2 for one kill under load).
   */
  synchronized void countUnreadableOom(String namespace, String id) {
    changes++;
    ContainerCounters c = counters(namespace, id);
    if (c.oomAfterCountedExit()) {
      if (c.listedOom != null) {
        recentOoms.remove(c.listedOom); // listed by apply a moment ago: not a kill
        c.listedOom = null;
      }
      return;
    }
    c.ooms++;
    if (c.oomKillsAccounted != null) {
      c.oomKillsAccounted++;
    }
  }

  /**
   * An OOM event for a container with no baseline whose kernel counter did not move while we
   * looked: it had already moved (the baseline taken includes this kill), so the event counts as
   * the one kill we can be sure of.
   */
  synchronized void countOomWithoutBaseline(String namespace, String id) {
    changes++;
    counters(namespace, id).ooms++;
  }

  /**
   * The containers the periodic check reads the counter of: those with a baseline that are not
   * deleted.
   */
  synchronized List<ContainerIndex.Key> oomCheckTargets() {
    List<ContainerIndex.Key> targets = new ArrayList<>();
    containers.forEach(
        (key, c) -> {
          if (c.oomKillsAccounted != null && !c.deleteSeen) {
            targets.add(key);
          }
        });
    return targets;
  }

  /**
   * The periodic check's read of a container's counter, while the stream is up: a rise that no
   * event accounted for and that was there at the previous check already (a whole interval for its
   * event to arrive and be counted) is counted and listed as recovered. The shim never published
   * it: it starts watching a task's cgroup only after the task started, so a kill in the first
   * moments has no {@code /tasks/oom}, and it loses some (containerd#8893).
   *
   * @return the kills counted
   */
  synchronized long countUnpublishedOomKills(String namespace, String id, long kernel) {
    ContainerCounters c = containers.get(new ContainerIndex.Key(namespace, id));
    if (c == null || c.oomKillsAccounted == null) {
      return 0;
    }
    Long previous = c.checkedOomKills;
    c.checkedOomKills = kernel;
    if (previous == null) {
      return 0;
    }
    long settled = Math.min(kernel, previous);
    if (settled <= c.oomKillsAccounted) {
      return 0;
    }
    changes++;
    long added = c.accountOomKills(settled);
    listRecoveredOom(c, id, added);
    recovered.merge("oom", added, Long::sum);
    return added;
  }

  // ---------------------------------------------------------------- the stream

  /** The reason of an OOM kill on the page and in /api/v1/top. */
  public static final String OOM_KILLED = "OOM killed";

  /**
   * Added to the reason of a non-zero exit after an OOM event since the task started, as
   * containerd's CRI reports such an exit as OOMKilled: the exit stays in the exits list (it is
   * one) and says why, and the OOM list has the kill itself.
   */
  public static final String OOM_EXIT_SUFFIX = " (" + OOM_KILLED + ")";

  /**
   * Added to the reason of an OOM kill no event told of: found later in the cgroup's {@code
   * oom_kill} (at the task's exit, or by the reconcile after the stream was down), listed with when
   * it was found.
   */
  public static final String OOM_RECOVERED_SUFFIX =
      " (recovered: no event, counted from the cgroup's oom_kill)";

  /** Added to the reason of a non-zero exit no event told of, found in containerd's task list. */
  public static final String EXIT_RECOVERED_SUFFIX =
      " (recovered: no event, from containerd's task list)";

  /**
   * A kill counted from the kernel's counter this soon after a live {@code /tasks/oom} of the same
   * container is that event's (listed already): on cgroup v1 the counter may lag the event, and the
   * exit may read it before the event's own retries do (they span about 0.6 s).
   */
  static final Duration OOM_EVENT_WINDOW = Duration.ofSeconds(2);

  private static boolean withinOomWindow(Instant at, Instant now) {
    return at != null && Duration.between(at, now).compareTo(OOM_EVENT_WINDOW) <= 0;
  }

  /** Lists {@code kills} counted with no event of their own, if there are any. */
  private void listRecoveredOom(ContainerCounters c, String id, long kills) {
    Instant now = clock.instant();
    if (kills <= 0 || withinOomWindow(c.lastOomEventAt, now)) {
      return;
    }
    String reason = (kills == 1 ? OOM_KILLED : kills + " OOM kills") + OOM_RECOVERED_SUFFIX;
    RecentEvent found = recent(c.identity, id, now, reason).asRecovered();
    recentOoms.add(found);
    c.listedRecoveredOom = found;
    c.listedRecoveredOomAt = now;
    markExitOomKilled(c);
  }

  /** The task's non-zero exit (listed, or to come) since it started is an OOM kill. */
  private void markExitOomKilled(ContainerCounters c) {
    c.oomSinceStart = true;
    if (c.listedExit != null && !c.listedExit.reason().contains(OOM_EXIT_SUFFIX)) {
      RecentEvent marked = c.listedExit.withReason(c.listedExit.reason() + OOM_EXIT_SUFFIX);
      recentExits.replace(c.listedExit, marked);
      c.listedExit = marked;
    }
  }

  private static RecentEvent recent(ContainerIdentity i, String id, Instant at, String reason) {
    return new RecentEvent(
        at.toString(),
        i.containerdNamespace(),
        i.podNamespace(),
        i.pod(),
        i.container().isEmpty() ? i.name() : i.container(),
        id,
        reason,
        false);
  }

  /** The last OOM events, newest first (their own lock: the page reads them without ours). */
  public List<RecentEvent> recentOoms() {
    return recentOoms.list();
  }

  /** The last non-zero exits of init processes, newest first. */
  public List<RecentEvent> recentExits() {
    return recentExits.list();
  }

  /** Whether the Events.Subscribe stream is up now. */
  public synchronized boolean streamUp() {
    return streamUp;
  }

  public synchronized void streamUp(boolean up) {
    changes++;
    this.streamUp = up;
  }

  public synchronized void reconnected() {
    changes++;
    reconnects++;
  }

  // ---------------------------------------------------------------- the reconciler

  /**
   * Applies one complete reconcile (everything was listed and read before; a reconcile that failed
   * part-way applies nothing). For every task: OOM kills the kernel counted beyond what is
   * accounted for are added once; a container with no baseline yet takes the kernel's value as its
   * baseline (history), unless it was created after {@code gapStart}, in which case all its kills
   * happened while we could not see them. Exits after {@code gapStart} newer than the last one
   * counted are counted. Idempotent: applying the same observations twice adds nothing.
   *
   * @param listedNamespaces every (watched) namespace containerd has now: event counts of the
   *     others age out
   */
  synchronized Recovered reconcile(
      List<Reconciler.TaskObservation> tasks,
      Collection<String> listedNamespaces,
      Instant gapStart) {
    changes++;
    long ooms = 0;
    long exits = 0;
    for (Reconciler.TaskObservation t : tasks) {
      ContainerCounters c = counters(t.namespace(), t.containerId(), t.container().orElse(null));
      boolean bornInGap =
          t.container().map(info -> info.createdAt().isAfter(gapStart)).orElse(false);
      if (t.kernelOomKills().isPresent()) {
        long kernel = t.kernelOomKills().getAsLong();
        if (c.oomKillsAccounted == null) {
          // No baseline yet: a container created in the gap had all its kills unseen; otherwise
          // its count so far is history.
          c.oomKillsAccounted = bornInGap ? 0L : kernel;
        } else if (kernel < c.oomKillsAccounted) {
          // A count below what is accounted for: a new cgroup under this id (its task started
          // again, or the container was created again, in the gap). Every kill it counts came
          // after what we accounted for, and none of them was counted (no read showed a rise).
          c.cgroupCountsFromZero();
        }
        long added = c.accountOomKills(kernel);
        listRecoveredOom(c, t.containerId(), added);
        ooms += added;
      }
      if (t.task().status() == TaskStatus.STOPPED && t.task().exitedAt().isPresent()) {
        Instant exitedAt = t.task().exitedAt().get();
        if (exitedAt.isAfter(gapStart) && exitedAt.isAfter(c.lastCountedExit)) {
          c.countExit(t.task().exitStatus(), exitedAt);
          exits++;
          listRecoveredExit(c, t.containerId(), t.task().exitStatus(), exitedAt);
        }
      }
    }
    recovered.merge("oom", ooms, Long::sum);
    recovered.merge("exit", exits, Long::sum);
    Set<String> listed = Set.copyOf(listedNamespaces);
    Instant now = clock.instant();
    for (String ns : countedNamespaces()) {
      if (listed.contains(ns)) {
        namespacesGoneSince.remove(ns);
      } else {
        namespacesGoneSince.putIfAbsent(ns, now);
      }
    }
    return new Recovered(ooms, exits);
  }

  /** A non-zero exit the reconcile found: containerd's task list says when it was. */
  private void listRecoveredExit(ContainerCounters c, String id, int exitStatus, Instant at) {
    if (exitStatus == 0) {
      return;
    }
    String reason =
        "exit code "
            + exitStatus
            + (c.oomSinceStart ? OOM_EXIT_SUFFIX : "")
            + EXIT_RECOVERED_SUFFIX;
    c.listedExit = recent(c.identity, id, at, reason).asRecovered();
    recentExits.add(c.listedExit);
  }

  private Set<String> countedNamespaces() {
    Set<String> namespaces = new HashSet<>();
    events.keySet().forEach(k -> namespaces.add(k.get(0)));
    imageEvents.keySet().forEach(k -> namespaces.add(k.get(0)));
    return namespaces;
  }

  // ---------------------------------------------------------------- housekeeping

  /**
   * Drops what has been gone for longer than the retention: series of containers no longer in the
   * index, restart counters of (pod, container) pairs with no container left, event counts of
   * deleted namespaces.
   */
  public synchronized void prune() {
    changes++;
    Instant now = clock.instant();
    containers.forEach(
        (key, c) -> {
          if (index.contains(key.namespace(), key.id()) && !c.deleteSeen) {
            c.goneSince = null;
          } else if (c.goneSince == null) {
            c.goneSince = now;
          }
        });
    containers.values().removeIf(c -> expired(c.goneSince, now));
    Set<RestartKey> present = new HashSet<>();
    containers.values().stream()
        .filter(c -> c.goneSince == null && c.identity.isKubernetesContainer())
        .forEach(
            c ->
                present.add(
                    new RestartKey(
                        c.identity.podNamespace(), c.identity.pod(), c.identity.container())));
    restarts.forEach(
        (key, r) -> {
          if (present.contains(key)) {
            r.goneSince = null;
          } else if (r.goneSince == null) {
            r.goneSince = now;
          }
        });
    restarts.values().removeIf(r -> expired(r.goneSince, now));
    namespacesGoneSince
        .entrySet()
        .removeIf(
            gone -> {
              if (!expired(gone.getValue(), now)) {
                return false;
              }
              events.keySet().removeIf(k -> k.get(0).equals(gone.getKey()));
              imageEvents.keySet().removeIf(k -> k.get(0).equals(gone.getKey()));
              return true;
            });
  }

  private boolean expired(Instant goneSince, Instant now) {
    return goneSince != null && Duration.between(goneSince, now).compareTo(retention) > 0;
  }

  /** How many entries each structure holds, for tests that hold them bounded under churn. */
  public synchronized Map<String, Integer> sizes() {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    sizes.put("containers", containers.size());
    sizes.put("restarts", restarts.size());
    sizes.put("events", events.size());
    sizes.put("imageEvents", imageEvents.size());
    sizes.put("decodeErrors", decodeErrors.size());
    sizes.put("loggedDecodeFailures", loggedDecodeFailures.size());
    sizes.put("unknownTopics", unknownTopics.size());
    sizes.put("namespacesGone", namespacesGoneSince.size());
    return sizes;
  }

  // ---------------------------------------------------------------- the exposition

  /** An immutable copy for rendering; labels as the index knows them now. Only reads memory. */
  /**
   * A number that moves whenever {@link #counts} may return something new, its labels (from the
   * container index) included; read without the lock. Take it before {@link #counts}: a change in
   * between then shows as a move next time.
   */
  public long changes() {
    return changes + index.changes();
  }

  public synchronized EventCounts counts() {
    List<EventCounts.ContainerSeries> series = new ArrayList<>(containers.size());
    containers.forEach(
        (key, c) -> {
          refreshIdentity(key, c);
          series.add(
              new EventCounts.ContainerSeries(
                  c.identity,
                  c.ooms,
                  c.starts,
                  Map.copyOf(c.exitsByCode),
                  Optional.ofNullable(c.lastExitCode),
                  Optional.ofNullable(c.lastExitAt)));
        });
    Map<RestartKey, Long> restartCounts = new LinkedHashMap<>();
    restarts.forEach((k, v) -> restartCounts.put(k, v.restarts));
    return new EventCounts(
        series,
        restartCounts,
        Map.copyOf(events),
        Map.copyOf(imageEvents),
        Map.copyOf(decodeErrors),
        Map.copyOf(recovered),
        streamUp,
        reconnects,
        Optional.ofNullable(lastEvent));
  }
}
