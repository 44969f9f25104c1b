package io.containerdexporter.index;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The OOM-kill counter of every container's cgroup as the last poll round read it (v1
 * memory.oom_control, v2 memory.events: files the task-stats read holds anyway). The event path's
 * periodic check for kills that no {@code /tasks/oom} told of takes them from here, rather than
 * reading each of those files a second time every interval (1000 files a round at 1000 tasks, the
 * event thread's whole cost).
 *
 * <p>Written by the task-stats collector at the end of its round, read by the event thread: each
 * round is one immutable map, published whole.
 */
public final class OomKillReadings {

  /** One round's readings, numbered so that a check can tell a new round from one it has used. */
  public record Round(long number, Map<ContainerIndex.Key, Long> kills) {

    public static final Round NONE = new Round(0, Map.of());

    public Round {
      kills = Map.copyOf(kills);
    }

    public OptionalLong of(ContainerIndex.Key container) {
      Long k = kills.get(container);
      return k == null ? OptionalLong.empty() : OptionalLong.of(k);
    }
  }

  private volatile Round latest = Round.NONE;

  /** The readings of a round that read every cgroup it could; the previous round's are dropped. */
  public synchronized void publish(Map<ContainerIndex.Key, Long> kills) {
    latest = new Round(latest.number() + 1, kills);
  }

  public Round latest() {
    return latest;
  }
}
