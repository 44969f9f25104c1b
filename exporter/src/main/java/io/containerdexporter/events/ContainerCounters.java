package io.containerdexporter.events;

import io.containerdexporter.index.ContainerIdentity;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything counted for one container. Mutable, and only touched under {@link EventState}'s lock.
 */
final class ContainerCounters {

  ContainerIdentity identity;
  long ooms;
  long starts;
  final Map<String, Long> exitsByCode = new TreeMap<>();
  Integer lastExitCode;
  Instant lastExitAt;

  /** The kernel's oom_kill count when counting began (0 for a container born while we watched). */
  long oomKillBaseline;
  /**
   * {@link #ooms} when counting began for the current cgroup: a container id can be reused after a delete, and the
   * series (same labels) keeps counting up while the new cgroup's kernel counter starts from 0.
   */
  long oomsAtBaseline;
  /**
   * OOMs the reconciler added for events it believes were lost while disconnected. If the shim delivers such an
   * event late (it retries publishing), the event consumes a credit instead of counting twice.
   */
  long oomCredits;
  Instant reconciledAt = Instant.EPOCH;
  /** The newest exit counted: a replayed /tasks/exit with an exited_at not after it is a duplicate. */
  Instant lastCountedExit = Instant.EPOCH;
  /** When the container was last seen gone; its series are dropped --events.retention later. */
  Instant goneSince;

  ContainerCounters(ContainerIdentity identity) {
    this.identity = identity;
  }

  /** The kernel counter a reconcile compares with covers OOMs since the baseline only. */
  long oomsSinceBaseline() {
    return ooms - oomsAtBaseline;
  }

  /** A new container under this id (created again after a delete): its cgroup counts from zero. */
  void newCgroup() {
    oomKillBaseline = 0;
    oomsAtBaseline = ooms;
    oomCredits = 0;
  }

  void countExit(int exitStatus, Instant exitedAt) {
    exitsByCode.merge(ExitCodes.label(exitStatus), 1L, Long::sum);
    lastExitCode = exitStatus;
    lastExitAt = exitedAt;
    lastCountedExit = exitedAt;
  }
}
