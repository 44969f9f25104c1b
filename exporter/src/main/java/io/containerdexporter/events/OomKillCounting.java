package io.containerdexporter.events;

import io.containerdexporter.cgroup.CgroupPaths;
import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.index.ContainerIndex;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Turns a {@code /tasks/oom} event into processes killed: reads the container's cgroup {@code
 * oom_kill} counter at once (a file read, no containerd call) and counts its increase over what is
 * already accounted for. On cgroup v1 the shim's eventfd can fire before the kernel increments the
 * counter, so a read that shows no increase is repeated a few times within about a second. A
 * duplicate event finds nothing new to count, by construction.
 *
 * <p>Runs on the event thread only (the reads are scheduled on it too), like the reconciler: the
 * two never interleave within one step, and {@link EventState}'s lock is taken only after each
 * read.
 */
final class OomKillCounting {

  private static final Logger LOG = Logger.getLogger(OomKillCounting.class.getName());

  /** Waits between reads that showed no increase: about 0.6 s in all. */
  static final List<Duration> RETRIES =
      List.of(
          Duration.ofMillis(20),
          Duration.ofMillis(40),
          Duration.ofMillis(80),
          Duration.ofMillis(160),
          Duration.ofMillis(320));

  private final CgroupReader cgroups;
  private final ContainerIndex index;
  private final EventState state;
  private final ScheduledExecutorService eventThread;

  OomKillCounting(
      CgroupReader cgroups,
      ContainerIndex index,
      EventState state,
      ScheduledExecutorService eventThread) {
    this.cgroups = cgroups;
    this.index = index;
    this.state = state;
    this.eventThread = eventThread;
  }

  /**
   * One {@code /tasks/oom}; the subscriber has looked the container up in the index (or containerd)
   * already.
   */
  void onOom(String namespace, String id) {
    attempt(namespace, id, 0, state.oomKillsKnown(namespace, id), null);
  }

  /**
   * The exit of a task's init process: its cgroup still exists (until the task is deleted), so its
   * counter is read once more. A kill whose {@code /tasks/oom} the shim never published (it loses
   * some when the task dies with it, containerd#8893) is counted here, and listed for the page as
   * recovered; one already counted adds nothing. Without a baseline there is nothing to compare
   * with: the reconcile decides then.
   */
  void onInitExit(String namespace, String id) {
    if (state.oomKillsKnown(namespace, id)) {
      kernelOomKills(namespace, id).ifPresent(k -> state.countOomKillsAtExit(namespace, id, k));
    }
  }

  /**
   * @param baselineKnown whether the kernel's counter had a known accounted value when the event
   *     arrived
   * @param firstRead the counter as first read for this event, for a container without a baseline
   */
  private void attempt(
      String namespace, String id, int retry, boolean baselineKnown, Long firstRead) {
    OptionalLong kernel = kernelOomKills(namespace, id);
    if (kernel.isEmpty()) {
      state.countUnreadableOom(namespace, id);
      return;
    }
    long first = firstRead == null ? kernel.getAsLong() : firstRead;
    if (!baselineKnown) {
      state.assumeOomKillsAccounted(namespace, id, first);
    }
    if (state.countOomKills(namespace, id, kernel.getAsLong()) > 0) {
      settle(namespace, id, retry);
      return;
    }
    if (retry < RETRIES.size()) {
      try {
        eventThread.schedule(
            () -> attempt(namespace, id, retry + 1, baselineKnown, first),
            RETRIES.get(retry).toMillis(),
            TimeUnit.MILLISECONDS);
        return;
      } catch (RejectedExecutionException shuttingDown) {
        // fall through: decide now
      }
    }
    if (!baselineKnown) {
      state.countOomWithoutBaseline(namespace, id);
    }
    // With a baseline and no increase: a duplicate of an event already counted (or a kill the
    // kernel never made).
  }

  /**
   * After an increase, reads a few more times over the rest of the retry window: a group kill
   * ({@code memory.oom.group=1}) goes on after its first victim, and the shim may send one event
   * for all of them. Each read counts only a further rise, so this never counts twice.
   */
  private void settle(String namespace, String id, int step) {
    if (step >= RETRIES.size()) {
      return;
    }
    try {
      eventThread.schedule(
          () -> {
            kernelOomKills(namespace, id).ifPresent(k -> state.countOomKills(namespace, id, k));
            settle(namespace, id, step + 1);
          },
          RETRIES.get(step).toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // closing: nothing more to read
    }
  }

  /**
   * The periodic check of one container (see {@link EventState#countUnpublishedOomKills}); a cgroup
   * that cannot be read is left to the events and the reconcile.
   */
  void check(String namespace, String id) {
    kernelOomKills(namespace, id).ifPresent(kernel -> check(namespace, id, kernel));
  }

  /** The periodic check of one container with its counter as a poll round read it. */
  void check(String namespace, String id, long kernel) {
    long added = state.countUnpublishedOomKills(namespace, id, kernel);
    if (added > 0) {
      LOG.info(
          "counted "
              + added
              + " OOM kill(s) of "
              + namespace
              + "/"
              + id
              + " that no /tasks/oom told of, from the cgroup's oom_kill");
    }
  }

  private OptionalLong kernelOomKills(String namespace, String id) {
    return index
        .get(namespace, id)
        .map(c -> cgroups.oomKills(CgroupPaths.fromSpec(c.cgroupsPath())))
        .orElse(OptionalLong.empty());
  }
}
