package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.index.TaskEnds;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rounds of listings with tasks going missing, exiting, being deleted, coming back, with the event
 * stream up or not: only a task that vanished without an end, its container still there, counts.
 */
class UnlistedTasksTest {

  private final AtomicLong clock = new AtomicLong(1_000);
  private final TaskEnds ends = new TaskEnds(clock::get);
  private final UnlistedTasks unlisted = new UnlistedTasks(ends);

  @BeforeEach
  void streamUp() {
    ends.streamUp(true);
  }

  @Test
  void aTaskThatVanishesWithoutAnExitIsASuspectAtOnceAndCountedOneRoundLater() {
    assertEquals(listing(Set.of(), 0), round(List.of("a", "b"), "a", "b"));
    assertEquals(listing(Set.of("b"), 0), round(List.of("a", "b"), "a"), "a suspect, not counted");
    assertEquals(listing(Set.of("b"), 1), round(List.of("a", "b"), "a"), "still missing: counted");
    assertEquals(listing(Set.of("b"), 1), round(List.of("a", "b"), "a"), "counted once");
    assertEquals(listing(Set.of(), 1), round(List.of("a", "b"), "a", "b"), "listed again");
    assertEquals(listing(Set.of("b"), 1), round(List.of("a", "b"), "a"), "gone again");
    assertEquals(listing(Set.of("b"), 2), round(List.of("a", "b"), "a"), "and counted again");
  }

  @Test
  void anExitOrADeleteSeenByTheEventsIsNoHang() {
    round(List.of("a", "b", "c"), "a", "b", "c");
    clock.addAndGet(10);
    ends.ended("ns", "b"); // b's init exited before the listing that lacks it
    assertEquals(listing(Set.of(), 0), round(List.of("a", "b", "c"), "a", "c"));
    round(List.of("a", "b", "c"), "a", "c");
    // c goes missing, and its exit event arrives only after that listing: the grace round sees it.
    assertEquals(listing(Set.of("c"), 0), round(List.of("a", "b", "c"), "a"));
    ends.ended("ns", "c");
    assertEquals(listing(Set.of(), 0), round(List.of("a", "b", "c"), "a"));
    // A task whose container went with it was deleted, not hung.
    assertEquals(listing(Set.of(), 0), round(List.of("b", "c"), "b", "c"));
    assertEquals(listing(Set.of(), 0), round(List.of("b", "c"), "b", "c"));
    assertEquals(listing(Set.of(), 0), round(List.of("c"), "c"));
  }

  @Test
  void aStoppedTaskThatIsDeletedIsNoHang() {
    unlisted.update(
        "ns", tick(), Duration.ZERO, containers("a"), List.of(task("a", TaskStatus.STOPPED)));
    assertEquals(listing(Set.of(), 0), round(List.of("a")));
    assertEquals(listing(Set.of(), 0), round(List.of("a")));
  }

  @Test
  void nothingIsCountedWhileTheEventStreamWasDown() {
    round(List.of("a", "b"), "a", "b");
    ends.streamUp(false); // an exit may go unseen now
    assertEquals(listing(Set.of(), 0), round(List.of("a", "b"), "a"));
    ends.streamUp(true);
    assertEquals(listing(Set.of(), 0), round(List.of("a", "b"), "a"));
    round(List.of("a", "b"), "a", "b");
    assertEquals(listing(Set.of("b"), 0), round(List.of("a", "b"), "a"));
    ends.streamUp(false);
    ends.streamUp(true); // reconnected between the two listings: b's exit may be lost
    assertEquals(listing(Set.of(), 0), round(List.of("a", "b"), "a"));
  }

  @Test
  void eachNamespaceCountsItsOwnAndAnUnwatchedOneIsForgotten() {
    round(List.of("a"), "a");
    unlisted.update(
        "other", tick(), Duration.ZERO, containers("x"), List.of(task("x", TaskStatus.RUNNING)));
    round(List.of("a"));
    round(List.of("a"));
    RoundView.TaskListing other =
        unlisted.update(
            "other",
            tick(),
            Duration.ZERO,
            containers("x"),
            List.of(task("x", TaskStatus.RUNNING)));
    assertEquals(Set.of(), other.unlisted());
    assertEquals(0, other.unlistedTotal());
    assertEquals(listing(Set.of("a"), 1), round(List.of("a")));
    unlisted.retain(Set.of("other"));
    assertEquals(
        listing(Set.of(), 0), round(List.of("a")), "a namespace watched again starts over");
  }

  /**
   * One listing of namespace "ns": these containers, a running task for each of {@code running}.
   */
  private RoundView.TaskListing round(List<String> containerIds, String... running) {
    List<TaskInfo> tasks =
        java.util.Arrays.stream(running).map(id -> task(id, TaskStatus.RUNNING)).toList();
    return unlisted.update(
        "ns", tick(), Duration.ofMillis(3), containers(containerIds.toArray(String[]::new)), tasks);
  }

  private long tick() {
    return clock.addAndGet(1_000);
  }

  private static RoundView.TaskListing listing(Set<String> unlisted, long total) {
    return new RoundView.TaskListing(Duration.ofMillis(3), unlisted, total);
  }

  private static TaskInfo task(String id, TaskStatus status) {
    return new TaskInfo("ns", id, 100, status, 0, Optional.empty());
  }

  private static Map<String, ContainerInfo> containers(String... ids) {
    Map<String, ContainerInfo> out = new LinkedHashMap<>();
    for (String id : ids) {
      out.put(id, ContainerInfo.fromCreateEvent("ns", id, "busybox", "io.containerd.runc.v2"));
    }
    return out;
  }
}
