package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.containerdexporter.cgroup.CgroupStats;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The api source against a containerd whose shims may hang: a scripted Tasks.Metrics that honours
 * containerd's id filters and, like containerd 1.6, waits on a hung shim until the caller's
 * deadline. One hung shim must cost only its own task, and not a whole deadline every round.
 */
class ApiStatsReaderTest {

  /** Tasks.Metrics as containerd answers it: every matching task's shim, in turn. */
  private static final class Containerd implements ApiStatsReader.Calls {
    final Set<String> tasks = new TreeSet<>();
    final Set<String> hung = ConcurrentHashMap.newKeySet();
    final List<String> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger maxOpen = new AtomicInteger();
    volatile StatusRuntimeException failure;

    @Override
    public Map<String, Any> metrics(String namespace, List<String> filters, Duration deadline) {
      calls.add(filters.isEmpty() ? "*" : String.join(" | ", filters));
      maxOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
      try {
        if (failure != null) {
          throw failure;
        }
        Map<String, Any> out = new TreeMap<>();
        for (String id : tasks) {
          if (!matches(filters, id)) {
            continue;
          }
          if (hung.contains(id)) {
            sleep(deadline);
            throw Status.DEADLINE_EXCEEDED.asRuntimeException();
          }
          out.put(id, Any.newBuilder().setTypeUrl(id).setValue(ByteString.EMPTY).build());
        }
        return out;
      } finally {
        open.decrementAndGet();
      }
    }

    /** "id==\"X\"" or "id!=\"X\",id!=\"Y\"" (a comma is "and"; separate filters are "or"). */
    private static boolean matches(List<String> filters, String id) {
      if (filters.isEmpty()) {
        return true;
      }
      for (String filter : filters) {
        boolean all = true;
        for (String part : filter.split(",")) {
          String value = part.substring(4).replace("\"", "");
          all &= part.startsWith("id==") ? value.equals(id) : !value.equals(id);
        }
        if (all) {
          return true;
        }
      }
      return false;
    }

    private static void sleep(Duration d) {
      try {
        Thread.sleep(d.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Status.CANCELLED.asRuntimeException();
      }
    }
  }

  private final Containerd containerd = new Containerd();
  private final ApiStatsReader reader =
      new ApiStatsReader(
          containerd,
          payloads -> {
            Map<String, CgroupStats> out = new TreeMap<>();
            payloads.keySet().forEach(id -> out.put(id, null));
            return out;
          },
          Duration.ofSeconds(2),
          Duration.ofSeconds(10));

  @Test
  void healthyShimsAreOneNamespaceWideCallPerRound() throws Exception {
    containerd.tasks.addAll(List.of("a", "b", "c"));
    assertEquals(Set.of("a", "b", "c"), read(view(Set.of(), "a", "b", "c")));
    assertEquals(List.of("*"), containerd.calls);
    assertEquals(Map.of("namespace", 0.0, "task", 0.0), timeouts());
  }

  @Test
  void aShimThatHangsAfterBeingListedCostsOnlyItsTaskAndOnlyOneDeadline() throws Exception {
    containerd.tasks.addAll(List.of("a", "b", "c", "d", "e", "f"));
    containerd.hung.add("c");
    RoundView.NamespaceView view = view(Set.of(), "a", "b", "c", "d", "e", "f");

    assertEquals(Set.of("a", "b", "d", "e", "f"), read(view), "the others, asked alone");
    assertEquals("*", containerd.calls.get(0));
    assertEquals(
        Set.of(
            "id==\"a\"",
            "id==\"b\"",
            "id==\"c\"",
            "id==\"d\"",
            "id==\"e\"",
            "id==\"f\"",
            "id==\"stuck\""), // a container with no listed task: containerd finds none at once
        Set.copyOf(containerd.calls.subList(1, containerd.calls.size())));
    assertTrue(containerd.maxOpen.get() <= ApiStatsReader.PARALLEL, "bounded concurrency");
    assertEquals(Map.of("namespace", 1.0, "task", 1.0), timeouts());

    // The next rounds: c is left out of the namespace-wide call and asked alone beside it.
    for (int round = 0; round < 2; round++) {
      containerd.calls.clear();
      long t0 = System.nanoTime();
      assertEquals(Set.of("a", "b", "d", "e", "f"), read(view));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(Set.of("id!=\"c\"", "id==\"c\""), Set.copyOf(containerd.calls));
      assertTrue(ms < 2_000, "one short deadline, not the namespace call's: " + ms + " ms");
    }
    assertEquals(Map.of("namespace", 1.0, "task", 3.0), timeouts());

    // SIGCONT: c answers alone, and is back in the namespace-wide call the round after.
    containerd.hung.clear();
    containerd.calls.clear();
    assertEquals(Set.of("a", "b", "c", "d", "e", "f"), read(view));
    containerd.calls.clear();
    assertEquals(Set.of("a", "b", "c", "d", "e", "f"), read(view));
    assertEquals(List.of("*"), containerd.calls);
    assertEquals(Map.of("namespace", 1.0, "task", 3.0), timeouts());
  }

  @Test
  void aTaskContainerdStoppedListingIsLeftOutOfTheNamespaceCallAndNotAsked() throws Exception {
    containerd.tasks.addAll(List.of("a", "b", "stuck"));
    containerd.hung.add("stuck");
    // containerd 1.6 left "stuck" out of Tasks.List (its State timed out); its container stays.
    assertEquals(Set.of("a", "b"), read(view(Set.of("stuck"), "a", "b")));
    assertEquals(List.of("id!=\"stuck\""), containerd.calls);
    assertEquals(Map.of("namespace", 0.0, "task", 0.0), timeouts());
  }

  @Test
  void aHungTaskTheExporterNeverSawListedIsFoundByAskingContainersAlone() throws Exception {
    containerd.tasks.addAll(List.of("a", "stuck"));
    containerd.hung.add("stuck");
    // Started during the hang: "stuck" was never listed, so it is no suspect; its container is.
    RoundView.NamespaceView view = view(Set.of(), "a");
    assertEquals(Set.of("a"), read(view));
    assertEquals(Map.of("namespace", 1.0, "task", 1.0), timeouts());
    containerd.calls.clear();
    assertEquals(Set.of("a"), read(view));
    assertEquals(List.of("id!=\"stuck\""), containerd.calls, "not listed: not asked alone");
  }

  @Test
  void anUnreachableContainerdFailsTheCollectorAsBefore() {
    containerd.tasks.add("a");
    containerd.failure = Status.UNAVAILABLE.asRuntimeException();
    assertThrows(StatusRuntimeException.class, () -> read(view(Set.of(), "a")));
    assertEquals(List.of("*"), containerd.calls, "no task-by-task retry against a dead socket");
  }

  @Test
  void filterValuesAreQuotedAsContainerdReadsThem() {
    assertEquals("\"abc-1.x_2\"", ApiStatsReader.quoted("abc-1.x_2"));
    assertEquals("\"a\\\"b\\\\c\"", ApiStatsReader.quoted("a\"b\\c"));
    assertEquals(List.of("id!=\"a\",id!=\"b\""), ApiStatsReader.excluding(List.of("b", "a")));
    assertEquals(List.of(), ApiStatsReader.excluding(List.of()));
  }

  private Set<String> read(RoundView.NamespaceView view) throws InterruptedException {
    return reader.read("ns", view, System.nanoTime()).keySet();
  }

  private Map<String, Double> timeouts() {
    Map<String, Double> out = new TreeMap<>();
    ((CounterSnapshot) reader.timeouts(List.of("ns")).snapshot())
        .getDataPoints()
        .forEach(d -> out.put(d.getLabels().get("call"), d.getValue()));
    return out;
  }

  /** Containers a-f and "stuck"; running tasks for {@code listed}. */
  private static RoundView.NamespaceView view(Set<String> unlisted, String... listed) {
    List<ContainerInfo> containers = new ArrayList<>();
    for (String id : List.of("a", "b", "c", "d", "e", "f", "stuck")) {
      containers.add(ContainerInfo.fromCreateEvent("ns", id, "busybox", "io.containerd.runc.v2"));
    }
    List<TaskInfo> tasks = new ArrayList<>();
    for (String id : listed) {
      tasks.add(new TaskInfo("ns", id, 100, TaskStatus.RUNNING, 0, Optional.empty()));
    }
    return RoundView.NamespaceView.of(containers, tasks)
        .with(new RoundView.TaskListing(Duration.ZERO, unlisted, 0));
  }
}
