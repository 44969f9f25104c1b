package io.containerdexporter.events;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RecentEvent;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything counted for one container. Mutable, and only touched under {@link EventState}'s lock.
 */
final class ContainerCounters {

  /**
   * The labels its series carry: taken from the container index whenever the index has (a newer
   * entry for) the container, so a container first seen without labels (its lookup failed) gets
   * them as soon as the poll learns it.
   */
  ContainerIdentity identity;

  /**
   * The index entry {@link #identity} was built from; null while it is a fallback (id and namespace
   * only).
   */
  ContainerInfo identitySource;

  long ooms;
  long starts;
  final Map<String, Long> exitsByCode = new TreeMap<>();
  Integer lastExitCode;
  Instant lastExitAt;

  /**
   * The kernel's {@code oom_kill} of the container's current cgroup that {@link #ooms} already
   * accounts for: a newer kernel value adds the difference, an equal one (a duplicate event, a
   * second reconcile) adds nothing. Null until known: the reconciler takes it from the kernel
   * (history before we watched is not counted), a container created while we watch starts at 0.
   */
  Long oomKillsAccounted;

  /**
   * The kernel's {@code oom_kill} as the previous periodic check read it (null before the first,
   * and after a task start): a rise still unaccounted one check later had a whole interval for its
   * event.
   */
  Long checkedOomKills;

  /**
   * A {@code /containers/delete} was seen: a create under the same id afterwards is a new container
   * (new cgroup).
   */
  boolean deleteSeen;

  /**
   * The newest exit counted: a replayed /tasks/exit with an exited_at not after it is a duplicate.
   */
  Instant lastCountedExit = Instant.EPOCH;

  /** When the container was last seen gone; its series are dropped --events.retention later. */
  Instant goneSince;

  /**
   * An OOM event came since the task last started: its exit is an OOM kill (containerd's CRI rule
   * for the reason OOMKilled).
   */
  boolean oomSinceStart;

  /**
   * The task's init exited since it last started: after that, an OOM event whose cgroup is gone may
   * be the cgroup v1 eventfd firing at the cgroup's removal (containerd's shim publishes it when it
   * loses the race with the delete), not a kill; see {@link #oomAfterCountedExit}.
   */
  boolean exitedSinceStart;

  /** The entry the last {@code /tasks/oom} listed for the page, taken back if it was no kill. */
  RecentEvent listedOom;

  /** {@link #ooms} when the task last started: whether a kill was counted since. */
  long oomsAtStart;

  /**
   * The non-zero exit listed for the page since the task last started, if any: an OOM event that
   * arrives after it (the shim publishes both, in no guaranteed order) marks it.
   */
  RecentEvent listedExit;

  /** When the last live {@code /tasks/oom} of this container arrived (our clock). */
  Instant lastOomEventAt;

  /**
   * The OOM kill listed for the page as recovered (counted with no event), and when: a live event
   * arriving just after it (the exit came first) replaces it rather than listing the kill twice.
   */
  RecentEvent listedRecoveredOom;

  Instant listedRecoveredOomAt;

  ContainerCounters(ContainerIdentity identity) {
    this.identity = identity;
  }

  /** A new container under this id (created again after a delete): its cgroup counts from zero. */
  void newCgroup() {
    cgroupCountsFromZero();
    deleteSeen = false;
    goneSince = null;
  }

  /**
   * A new cgroup under this id (the container created again, or its task started again): its {@code
   * oom_kill} counts from zero, and what the periodic check last read was the old one's.
   */
  void cgroupCountsFromZero() {
    oomKillsAccounted = 0L;
    checkedOomKills = null;
  }

  /** Adds what the kernel counted beyond what is accounted for; returns how many. */
  long accountOomKills(long kernel) {
    long added = kernel - oomKillsAccounted;
    if (added <= 0) {
      return 0;
    }
    ooms += added;
    oomKillsAccounted = kernel;
    return added;
  }

  /**
   * The task started (again): what follows is its new run's. A new task runs in a new cgroup (runc
   * creates it at create and removes it at delete), whose {@code oom_kill} counts from zero.
   */
  void started() {
    cgroupCountsFromZero();
    oomSinceStart = false;
    exitedSinceStart = false;
    oomsAtStart = ooms;
    listedExit = null;
  }

  /**
   * An OOM event after the init's exit, when this run's kill was counted already, is the shim's
   * notice of the cgroup going away (or a duplicate): there is no process left to kill.
   */
  boolean oomAfterCountedExit() {
    return exitedSinceStart && ooms > oomsAtStart;
  }

  void countExit(int exitStatus, Instant exitedAt) {
    exitsByCode.merge(ExitCodes.label(exitStatus), 1L, Long::sum);
    lastExitCode = exitStatus;
    lastExitAt = exitedAt;
    lastCountedExit = exitedAt;
  }
}
