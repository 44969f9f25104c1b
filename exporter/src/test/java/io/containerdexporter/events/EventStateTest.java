package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.SpecResources;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EventStateTest {

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };
  private final ContainerIndex index = new ContainerIndex();
  private final EventState state = new EventState(clock, Duration.ofMinutes(15), index,
      (ns, id) -> index.get(ns, id).map(ContainerIdentity::of)
          .orElse(ContainerIdentity.of(ContainerInfo.fromCreateEvent(ns, id, "", ""))));

  private static ContainerInfo container(String id, Map<String, String> labels) {
    return new ContainerInfo("k8s.io", id, "busybox", labels, "io.containerd.runc.v2", "overlayfs", id,
        Instant.parse("2026-01-01T00:00:00Z"), "/k8s.io/" + id, Map.of(), SpecResources.NONE,
        io.containerdexporter.model.NetworkNamespace.PRIVATE);
  }

  private EventCounts.ContainerSeries series(String id) {
    return state.counts().containers().stream().filter(s -> s.identity().name().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError(id + " has no series"));
  }

  @Test
  void everyOomEventCountsOnce() {
    index.put(container("c1", Map.of()));
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now);
    assertEquals(2, series("c1").ooms());
    assertEquals("/k8s.io/c1", series("c1").identity().cgroupPath());
  }

  @Test
  void anOomRecoveredByTheReconcilerIsNotCountedAgainWhenItsEventArrivesLate() {
    index.put(container("c1", Map.of()));
    state.baseline("k8s.io", "c1", 0, Optional.empty());
    Instant oomHappened = now;
    now = now.plusSeconds(10);
    assertEquals(1, state.reconcileOoms("k8s.io", "c1", 1, false), "kernel says 1, we counted 0");
    assertEquals(0, state.reconcileOoms("k8s.io", "c1", 1, false), "reconciling twice adds nothing");
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), oomHappened); // the shim's retried publish
    assertEquals(1, series("c1").ooms());
    now = now.plusSeconds(1);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now); // a new OOM after the reconcile
    assertEquals(2, series("c1").ooms());
  }

  @Test
  void historyBeforeTheBaselineIsNotCounted() {
    index.put(container("c1", Map.of()));
    state.baseline("k8s.io", "c1", 5, Optional.empty());
    assertEquals(0, state.reconcileOoms("k8s.io", "c1", 5, false));
    assertEquals(1, state.reconcileOoms("k8s.io", "c1", 6, false));
    assertEquals(1, series("c1").ooms());
  }

  @Test
  void aContainerIdUsedAgainCountsItsNewCgroupFromZero() {
    index.put(container("job", Map.of()));
    state.baseline("k8s.io", "job", 0, Optional.empty());
    state.apply("k8s.io", new ContainerEvent.TaskOom("job"), now);
    state.apply("k8s.io", new ContainerEvent.ContainerDeleted("job"), now);
    state.apply("k8s.io", new ContainerEvent.ContainerCreated("job", "busybox", "runc"), now);
    // The new cgroup was OOM-killed once while the stream was down: the kernel says 1, we counted 0 of those.
    now = now.plusSeconds(5);
    assertEquals(1, state.reconcileOoms("k8s.io", "job", 1, false));
    assertEquals(2, series("job").ooms(), "the series keeps counting up across the two containers");
  }

  @Test
  void aContainerBornWhileAwayHasAllItsOomsCounted() {
    index.put(container("c2", Map.of()));
    assertEquals(2, state.reconcileOoms("k8s.io", "c2", 2, true));
  }

  @Test
  void exitsAreBucketedAndDeduplicatedByExitTime() {
    index.put(container("c1", Map.of()));
    Instant t = now.minusSeconds(1);
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, t), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, t), now); // replayed
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "exec-9", 1, t.plusSeconds(1)), now); // an exec
    assertEquals(false, state.reconcileExit("k8s.io", "c1", 137, t), "already counted");
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 42, t.plusSeconds(5)), now);
    EventCounts.ContainerSeries c1 = series("c1");
    assertEquals(Map.of("137", 1L, "other", 1L), c1.exitsByCode());
    assertEquals(Optional.of(42), c1.lastExitCode());
    assertEquals(Optional.of(t.plusSeconds(5)), c1.lastExitAt());
  }

  @Test
  void aKubernetesContainerStartedUnderANewIdIsARestart() {
    Map<String, String> app = Map.of("io.cri-containerd.kind", "container", "io.kubernetes.pod.namespace", "shop",
        "io.kubernetes.pod.name", "web-0", "io.kubernetes.container.name", "app");
    index.put(container("a0", app));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a0"), now);
    index.put(container("a1", app)); // kubelet keeps a0 (dead) and creates a1
    state.apply("k8s.io", new ContainerEvent.TaskStart("a1"), now);
    index.put(container("a2", app));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a2"), now);
    assertEquals(Map.of(new EventState.RestartKey("shop", "web-0", "app"), 2L), state.counts().restarts());
  }

  @Test
  void aPodCreatedAgainUnderTheSameNameIsNotARestart() {
    Map<String, String> first = Map.of("io.cri-containerd.kind", "container", "io.kubernetes.pod.namespace", "shop",
        "io.kubernetes.pod.name", "web-0", "io.kubernetes.container.name", "app", "io.kubernetes.pod.uid", "uid-1");
    Map<String, String> second = new java.util.HashMap<>(first);
    second.put("io.kubernetes.pod.uid", "uid-2");
    index.put(container("a0", first));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a0"), now);
    index.put(container("a1", first));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a1"), now);
    index.put(container("b0", second)); // the StatefulSet rolled: a new pod web-0
    state.apply("k8s.io", new ContainerEvent.TaskStart("b0"), now);
    assertEquals(1L, state.counts().restarts().get(new EventState.RestartKey("shop", "web-0", "app")));
  }

  @Test
  void theFirstStartWeSeeIsARestartWhenThePreviousContainerIsStillKept() {
    Map<String, String> app = Map.of("io.cri-containerd.kind", "container", "io.kubernetes.pod.namespace", "shop",
        "io.kubernetes.pod.name", "web-0", "io.kubernetes.container.name", "app");
    index.put(container("old", app));
    index.put(container("new", app));
    state.apply("k8s.io", new ContainerEvent.TaskStart("new"), now);
    assertEquals(1L, state.counts().restarts().get(new EventState.RestartKey("shop", "web-0", "app")));
  }

  @Test
  void seriesOfAGoneContainerStayForTheRetentionThenGo() {
    index.put(container("c1", Map.of()));
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now);
    index.remove("k8s.io", "c1");
    state.apply("k8s.io", new ContainerEvent.ContainerDeleted("c1"), now);
    now = now.plus(Duration.ofMinutes(14));
    assertEquals(1, series("c1").ooms(), "still there within the retention");
    now = now.plus(Duration.ofMinutes(2));
    assertTrue(state.counts().containers().isEmpty(), "gone after it");
  }

  @Test
  void unknownTopicsAreBounded() {
    for (int i = 0; i < EventState.MAX_UNKNOWN_TOPICS + 10; i++) {
      state.envelope("ns", "/custom/topic" + i);
    }
    state.envelope("ns", "garbage topic with spaces");
    Map<java.util.List<String>, Long> events = state.counts().events();
    assertEquals(EventState.MAX_UNKNOWN_TOPICS + 1, events.size());
    assertEquals(11L, events.get(java.util.List.of("ns", "other")));
  }
}
