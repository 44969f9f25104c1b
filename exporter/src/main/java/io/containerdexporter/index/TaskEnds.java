package io.containerdexporter.index;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * What the event path saw of tasks ending (an init process's {@code /tasks/exit}, a container's
 * {@code /containers/delete}) and whether it was listening, so a poll round can tell a task that
 * ended from one containerd merely stopped listing. Times come from one monotonic clock ({@code
 * System.nanoTime()} unless a test injects another) shared by both sides.
 */
public final class TaskEnds {

  private static final long DOWN = Long.MAX_VALUE;

  private final LongSupplier nanoTime;
  private final Map<ContainerIndex.Key, Long> ended = new ConcurrentHashMap<>();
  private volatile long streamUpSince = DOWN;

  public TaskEnds() {
    this(System::nanoTime);
  }

  public TaskEnds(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** Now on the clock this class compares with. */
  public long now() {
    return nanoTime.getAsLong();
  }

  /** The container's task ended (its init exited, or the container was deleted). */
  public void ended(String namespace, String containerId) {
    ended.put(new ContainerIndex.Key(namespace, containerId), now());
  }

  /** The event stream is established (again), or lost. */
  public void streamUp(boolean up) {
    streamUpSince = up ? now() : DOWN;
  }

  /**
   * Whether an end of the container's task can have gone unseen since {@code since}: the stream was
   * down at some point after it (or is down now).
   */
  public boolean blindSince(long since) {
    return streamUpSince > since;
  }

  /** Whether the event path saw the container's task end at or after {@code since}. */
  public boolean endedSince(String namespace, String containerId, long since) {
    Long at = ended.get(new ContainerIndex.Key(namespace, containerId));
    return at != null && at - since >= 0;
  }

  /** Forgets ends before {@code before}: a round only asks about the ones since the last. */
  public void forgetBefore(long before) {
    ended.values().removeIf(at -> at - before < 0);
  }
}
