package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.RecentEvent;
import io.containerdexporter.model.SpecResources;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class EventStateTest {

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock =
      new Clock() {
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
  private final Instant exporterStart = now;
  private final EventState state = new EventState(clock, Duration.ofMinutes(15), index);

  /** A container created before the exporter started (its kernel counters are history). */
  private static ContainerInfo container(String id, Map<String, String> labels) {
    return container(id, labels, Instant.parse("2025-12-31T00:00:00Z"));
  }

  private static ContainerInfo container(String id, Map<String, String> labels, Instant createdAt) {
    return new ContainerInfo(
        "k8s.io",
        id,
        "busybox",
        labels,
        "io.containerd.runc.v2",
        "overlayfs",
        id,
        createdAt,
        "/k8s.io/" + id,
        Map.of(),
        SpecResources.NONE,
        io.containerdexporter.model.NetworkNamespace.PRIVATE);
  }

  private static Reconciler.TaskObservation running(ContainerInfo c, long kernelOomKills) {
    return new Reconciler.TaskObservation(
        "k8s.io",
        c.id(),
        Optional.of(c),
        OptionalLong.of(kernelOomKills),
        new TaskInfo("k8s.io", c.id(), 42, TaskStatus.RUNNING, 0, Optional.empty()));
  }

  private EventState.Recovered reconcile(Instant gapStart, Reconciler.TaskObservation... tasks) {
    return state.reconcile(List.of(tasks), List.of("k8s.io"), gapStart);
  }

  private EventCounts.ContainerSeries series(String id) {
    return state.counts().containers().stream()
        .filter(s -> s.identity().name().equals(id))
        .findFirst()
        .orElseThrow(() -> new AssertionError(id + " has no series"));
  }

  @Test
  void oomKillsCountTheKernelsIncreaseSoADuplicateEventAddsNothing() {
    ContainerInfo c1 = container("c1", Map.of());
    index.put(c1);
    reconcile(exporterStart, running(c1, 2)); // two kills before we watched: history
    assertEquals(0, series("c1").ooms());
    assertEquals(
        3, state.countOomKills("k8s.io", "c1", 5), "one OOM event, a group kill of 3 processes");
    assertEquals(0, state.countOomKills("k8s.io", "c1", 5), "the same event again");
    assertEquals(3, series("c1").ooms());
    assertEquals(
        new EventState.Recovered(0, 0), reconcile(now, running(c1, 5)), "a reconnect with no OOM");
    assertEquals(3, series("c1").ooms());
  }

  @Test
  void aKillWhileTheStreamWasDownIsRecoveredOnceHoweverOftenWeReconcile() {
    ContainerInfo c1 = container("c1", Map.of());
    index.put(c1);
    reconcile(exporterStart, running(c1, 0));
    now = now.plusSeconds(10);
    Instant lost = now;
    assertEquals(
        new EventState.Recovered(1, 0),
        reconcile(lost, running(c1, 1)),
        "kernel says 1, we counted 0");
    assertEquals(
        new EventState.Recovered(0, 0), reconcile(lost, running(c1, 1)), "the confirming pass");
    assertEquals(0, state.countOomKills("k8s.io", "c1", 1), "the shim's late /tasks/oom");
    assertEquals(1, series("c1").ooms());
    assertEquals(1, state.counts().recovered().get("oom"));
    assertEquals(1, state.countOomKills("k8s.io", "c1", 2), "a new OOM after the reconcile");
    assertEquals(2, series("c1").ooms());
  }

  @Test
  void aCounterBelowWhatIsAccountedForIsANewCgroupWhoseKillsAreAllUnseen() {
    ContainerInfo c1 = container("c1", Map.of());
    index.put(c1);
    reconcile(exporterStart, running(c1, 0));
    assertEquals(3, state.countOomKills("k8s.io", "c1", 3));
    now = now.plusSeconds(10);
    // While the stream was down the task was deleted and started again (a restart under the same
    // container): its new cgroup killed once.
    assertEquals(
        new EventState.Recovered(1, 0),
        reconcile(now, running(c1, 1)),
        "the new cgroup's one kill, though its counter is below the old one's");
    assertEquals(4, series("c1").ooms());
    assertEquals(new EventState.Recovered(0, 0), reconcile(now, running(c1, 1)));
  }

  @Test
  void withoutABaselineAnOomEventCountsOneAndTheNextReconcileAddsNoPhantom() {
    // Issue 18: the first reconcile failed, so c1 has no baseline; it had OOMed once before we
    // started (kernel 1).
    ContainerInfo c1 = container("c1", Map.of());
    index.put(c1);
    assertEquals(false, state.oomKillsKnown("k8s.io", "c1"));
    state.assumeOomKillsAccounted("k8s.io", "c1", 2); // the live OOM: the kernel already says 2
    assertEquals(0, state.countOomKills("k8s.io", "c1", 2));
    state.countOomWithoutBaseline("k8s.io", "c1");
    assertEquals(1, series("c1").ooms());
    now = now.plusSeconds(30);
    assertEquals(
        new EventState.Recovered(0, 0),
        reconcile(exporterStart, running(c1, 2)),
        "the retried reconcile");
    assertEquals(
        new EventState.Recovered(0, 0), reconcile(now, running(c1, 2)), "an outage with no OOM");
    assertEquals(1, series("c1").ooms());
  }

  @Test
  void aContainerCreatedAfterTheStartHasAllItsKillsCounted() {
    ContainerInfo born = container("born", Map.of(), exporterStart.plusSeconds(1));
    index.put(born);
    now = now.plusSeconds(2);
    // It OOMed twice before the stream was live: the first reconcile treats the start as a gap.
    assertEquals(new EventState.Recovered(2, 0), reconcile(exporterStart, running(born, 2)));
    ContainerInfo late = container("late", Map.of(), exporterStart.plusSeconds(3));
    index.put(late);
    assertEquals(true, state.oomKillsKnown("k8s.io", "late"), "born while we watch: starts at 0");
    assertEquals(1, state.countOomKills("k8s.io", "late", 1));
  }

  @Test
  void anUnreadableCgroupCountsOnePerEventAndAReconcileThatCanReadItDoesNotCountItAgain() {
    ContainerInfo c1 = container("c1", Map.of());
    index.put(c1);
    reconcile(exporterStart, running(c1, 0));
    state.countUnreadableOom("k8s.io", "c1");
    assertEquals(1, series("c1").ooms());
    assertEquals(new EventState.Recovered(0, 0), reconcile(now, running(c1, 1)));
    assertEquals(
        new EventState.Recovered(2, 0),
        reconcile(now, running(c1, 3)),
        "the other two kills of a group");
    assertEquals(3, series("c1").ooms());
  }

  @Test
  void theOomEventOfACgroupsRemovalAfterTheCountedKillAndExitIsNeitherCountedNorListed() {
    index.put(container("c1", Map.of(), exporterStart.plusSeconds(1))); // born while we watch
    state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), now);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now);
    assertEquals(1, state.countOomKills("k8s.io", "c1", 1), "the kill, read from the kernel");
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, now), now);
    // the task is deleted: on cgroup v1 the rmdir fires the shim's eventfd once more
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now.plusSeconds(1));
    state.countUnreadableOom("k8s.io", "c1");
    assertEquals(1, series("c1").ooms());
    assertEquals(1, state.recentOoms().size(), "listed once");

    // started again, a kill whose cgroup cannot be read is the one kill we know of
    state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), now.plusSeconds(2));
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now.plusSeconds(3));
    state.countUnreadableOom("k8s.io", "c1");
    assertEquals(2, series("c1").ooms());
    assertEquals(2, state.recentOoms().size());
  }

  @Test
  void anOomEventAfterTheExitCountsWhenNothingCountedTheRunsKill() {
    index.put(container("c1", Map.of(), exporterStart.plusSeconds(1)));
    state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), now);
    // the exit first (no guaranteed order), then the event, and the cgroup already gone
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, now), now);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now);
    state.countUnreadableOom("k8s.io", "c1");
    assertEquals(1, series("c1").ooms());
    assertEquals(1, state.recentOoms().size());
  }

  @Test
  void aContainerIdUsedAgainCountsItsNewCgroupFromZero() {
    ContainerInfo job = container("job", Map.of());
    index.put(job);
    reconcile(exporterStart, running(job, 4));
    assertEquals(1, state.countOomKills("k8s.io", "job", 5));
    state.apply("k8s.io", new ContainerEvent.ContainerDeleted("job"), now);
    state.apply("k8s.io", new ContainerEvent.ContainerCreated("job", "busybox", "runc"), now);
    assertEquals(1, state.countOomKills("k8s.io", "job", 1), "the new cgroup's first kill");
    assertEquals(2, series("job").ooms(), "the series keeps counting up across the two containers");
  }

  @Test
  void aCreateEventQueuedBehindTheReconcileKeepsWhatTheReconcileAccountedFor() {
    ContainerInfo c = container("c", Map.of(), exporterStart.plusSeconds(1));
    now = now.plusSeconds(2);
    assertEquals(new EventState.Recovered(1, 0), reconcile(exporterStart, running(c, 1)));
    state.apply("k8s.io", new ContainerEvent.ContainerCreated("c", "busybox", "runc"), now);
    assertEquals(
        0, state.countOomKills("k8s.io", "c", 1), "the kill the reconcile already counted");
    assertEquals(1, series("c").ooms());
  }

  @Test
  void labelsAreNotFrozenAtTheFirstEvent() {
    state.apply(
        "k8s.io",
        new ContainerEvent.TaskStart("late"),
        now); // the lookup failed: id and namespace only
    assertEquals("", series("late").identity().image());
    assertEquals("", series("late").identity().cgroupPath());
    index.put(container("late", Map.of())); // the poll learned it
    assertEquals("busybox", series("late").identity().image());
    assertEquals("/k8s.io/late", series("late").identity().cgroupPath());
    assertEquals(1, series("late").starts());
  }

  @Test
  void exitsAreBucketedAndDeduplicatedByExitTime() {
    index.put(container("c1", Map.of()));
    Instant t = now.minusSeconds(1);
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, t), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, t), now); // replayed
    state.apply(
        "k8s.io", new ContainerEvent.TaskExit("c1", "exec-9", 1, t.plusSeconds(1)), now); // an exec
    Reconciler.TaskObservation stopped =
        new Reconciler.TaskObservation(
            "k8s.io",
            "c1",
            Optional.empty(),
            OptionalLong.empty(),
            new TaskInfo("k8s.io", "c1", 0, TaskStatus.STOPPED, 137, Optional.of(t)));
    assertEquals(
        new EventState.Recovered(0, 0), reconcile(t.minusSeconds(60), stopped), "already counted");
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 42, t.plusSeconds(5)), now);
    EventCounts.ContainerSeries c1 = series("c1");
    assertEquals(Map.of("137", 1L, "other", 1L), c1.exitsByCode());
    assertEquals(Optional.of(42), c1.lastExitCode());
    assertEquals(Optional.of(t.plusSeconds(5)), c1.lastExitAt());
  }

  @Test
  void aKubernetesContainerStartedUnderANewIdIsARestart() {
    Map<String, String> app =
        Map.of(
            "io.cri-containerd.kind",
            "container",
            "io.kubernetes.pod.namespace",
            "shop",
            "io.kubernetes.pod.name",
            "web-0",
            "io.kubernetes.container.name",
            "app");
    index.put(container("a0", app));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a0"), now);
    index.put(container("a1", app)); // kubelet keeps a0 (dead) and creates a1
    state.apply("k8s.io", new ContainerEvent.TaskStart("a1"), now);
    index.put(container("a2", app));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a2"), now);
    assertEquals(
        Map.of(new EventState.RestartKey("shop", "web-0", "app"), 2L), state.counts().restarts());
  }

  @Test
  void aPodCreatedAgainUnderTheSameNameIsNotARestart() {
    Map<String, String> first =
        Map.of(
            "io.cri-containerd.kind",
            "container",
            "io.kubernetes.pod.namespace",
            "shop",
            "io.kubernetes.pod.name",
            "web-0",
            "io.kubernetes.container.name",
            "app",
            "io.kubernetes.pod.uid",
            "uid-1");
    Map<String, String> second = new java.util.HashMap<>(first);
    second.put("io.kubernetes.pod.uid", "uid-2");
    index.put(container("a0", first));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a0"), now);
    index.put(container("a1", first));
    state.apply("k8s.io", new ContainerEvent.TaskStart("a1"), now);
    index.put(container("b0", second)); // the StatefulSet rolled: a new pod web-0
    state.apply("k8s.io", new ContainerEvent.TaskStart("b0"), now);
    assertEquals(
        1L, state.counts().restarts().get(new EventState.RestartKey("shop", "web-0", "app")));
  }

  @Test
  void theFirstStartWeSeeIsARestartWhenThePreviousContainerIsStillKept() {
    Map<String, String> app =
        Map.of(
            "io.cri-containerd.kind",
            "container",
            "io.kubernetes.pod.namespace",
            "shop",
            "io.kubernetes.pod.name",
            "web-0",
            "io.kubernetes.container.name",
            "app");
    index.put(container("old", app));
    index.put(container("new", app));
    state.apply("k8s.io", new ContainerEvent.TaskStart("new"), now);
    assertEquals(
        1L, state.counts().restarts().get(new EventState.RestartKey("shop", "web-0", "app")));
  }

  @Test
  void seriesOfAGoneContainerStayForTheRetentionThenArePrunedWithoutAScrape() {
    index.put(container("c1", Map.of()));
    state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), now);
    index.remove("k8s.io", "c1");
    state.apply("k8s.io", new ContainerEvent.ContainerDeleted("c1"), now);
    now = now.plus(Duration.ofMinutes(14));
    state.prune();
    assertEquals(1, state.sizes().get("containers"), "still there within the retention");
    now = now.plus(Duration.ofMinutes(2));
    state.prune();
    assertEquals(0, state.sizes().get("containers"), "gone after it");
  }

  @Test
  void eventCountsOfADeletedNamespaceGoAfterTheRetention() {
    state.envelope("gone", "/namespaces/create");
    state.apply(
        "gone", new ContainerEvent.ImageChanged("create", "busybox", java.util.Map.of()), now);
    state.envelope("kept", "/images/create");
    state.apply("gone", new ContainerEvent.NamespaceDeleted("gone"), now);
    now = now.plus(Duration.ofMinutes(16));
    state.prune();
    assertEquals(Map.of(List.of("kept", "/images/create"), 1L), state.counts().events());
    assertEquals(Map.of(), state.counts().imageEvents());
    assertEquals(0, state.sizes().get("namespacesGone"));
  }

  @Test
  void aNamespaceNoLongerListedAgesOutTooUnlessItComesBack() {
    state.envelope("a", "/images/create");
    state.envelope("b", "/images/create");
    state.envelope("c", "/images/create");
    state.reconcile(
        List.of(), List.of("b"), now); // "a" was deleted while the stream was down, "c" was not
    state.envelope("c", "/images/create"); // an event proves it
    now = now.plus(Duration.ofMinutes(16));
    state.reconcile(List.of(), List.of("b", "c"), now);
    state.prune();
    assertEquals(
        Map.of(List.of("b", "/images/create"), 1L, List.of("c", "/images/create"), 2L),
        state.counts().events());
  }

  @Test
  void decodeFailuresAreLoggedOncePerKindAndKnownTopicHoweverManyTopicsThereAre() {
    for (int i = 0; i < 1000; i++) {
      state.decodeError(EventDecoder.Failure.UNKNOWN_TOPIC, "/made/up/" + i);
    }
    assertEquals(true, state.decodeError(EventDecoder.Failure.MALFORMED, "/tasks/oom"));
    assertEquals(false, state.decodeError(EventDecoder.Failure.MALFORMED, "/tasks/oom"));
    assertEquals(2, state.sizes().get("loggedDecodeFailures"));
    assertEquals(1000L, state.counts().decodeErrors().get("unknown_topic"));
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

  @Test
  void remembersTheLastOomsAndNonZeroExitsWithTheirPods() {
    index.put(
        container(
            "web1",
            Map.of(
                "io.kubernetes.pod.namespace", "shop",
                "io.kubernetes.pod.name", "web-0",
                "io.kubernetes.container.name", "web")));
    state.apply("k8s.io", new ContainerEvent.TaskOom("web1"), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("web1", "web1", 137, now), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("web1", "web1", 0, now.plusSeconds(1)), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("web1", "exec1", 3, now.plusSeconds(2)), now);
    assertEquals(1, state.recentOoms().size());
    assertEquals("web-0", state.recentOoms().get(0).pod());
    assertEquals("shop", state.recentOoms().get(0).namespace());
    assertEquals("web", state.recentOoms().get(0).subject());
    assertEquals(now.toString(), state.recentOoms().get(0).at());
    assertEquals(
        java.util.List.of("exit code 137 (OOM killed)"),
        state.recentExits().stream().map(e -> e.reason()).toList(),
        "exit 0 and an exec's exit are not listed; the exit after the OOM says so");
    for (int i = 0; i < 25; i++) {
      state.apply("k8s.io", new ContainerEvent.TaskOom("c" + i), now);
    }
    assertEquals(1, state.recentExits().size(), "an OOM alone is no exit");
    assertEquals(io.containerdexporter.model.RecentEvents.SIZE, state.recentOoms().size());
    assertEquals("c24", state.recentOoms().get(0).id(), "newest first");
  }

  @Test
  void anExitIsMarkedOomKilledWhicheverOfTheTwoEventsComesFirstUntilTheTaskStartsAgain() {
    // the shim publishes /tasks/exit and /tasks/oom from two goroutines: either may come first
    state.apply("k8s.io", new ContainerEvent.TaskExit("a", "a", 137, now), now);
    state.apply("k8s.io", new ContainerEvent.TaskOom("a"), now);
    state.apply("k8s.io", new ContainerEvent.TaskOom("a"), now);
    assertEquals(
        java.util.List.of("exit code 137 (OOM killed)"),
        state.recentExits().stream().map(e -> e.reason()).toList(),
        "marked once, however many OOM events");
    assertEquals(2, state.recentOoms().size());

    // restarted, then exits on its own: no OOM since this start
    state.apply("k8s.io", new ContainerEvent.TaskStart("a"), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("a", "a", 1, now.plusSeconds(5)), now);
    assertEquals(
        java.util.List.of("exit code 1", "exit code 137 (OOM killed)"),
        state.recentExits().stream().map(e -> e.reason()).toList());

    // an OOM that killed a child: the task's later non-zero exit is an OOM kill, as CRI says
    state.apply("k8s.io", new ContainerEvent.TaskStart("a"), now);
    state.apply("k8s.io", new ContainerEvent.TaskOom("a"), now);
    state.apply("k8s.io", new ContainerEvent.TaskExit("a", "a", 2, now.plusSeconds(9)), now);
    assertEquals("exit code 2 (OOM killed)", state.recentExits().get(0).reason());
  }

  private static final Map<String, String> WEB_0 =
      Map.of(
          "io.kubernetes.pod.namespace", "shop",
          "io.kubernetes.pod.name", "web-0",
          "io.kubernetes.container.name", "web");

  @Test
  void aKillFoundByTheReconcileIsListedAsRecoveredWithWhenItWasFoundOnce() {
    ContainerInfo c1 = container("c1", WEB_0);
    index.put(c1);
    reconcile(exporterStart, running(c1, 2)); // two kills before we watched: history, not listed
    assertEquals(List.of(), state.recentOoms());

    Instant lost = now.plusSeconds(10);
    now = now.plusSeconds(70); // the stream was down for a minute; two kills in it
    reconcile(lost, running(c1, 4));
    reconcile(lost, running(c1, 4)); // the confirming pass finds nothing new
    RecentEvent found = state.recentOoms().get(0);
    assertEquals(1, state.recentOoms().size());
    assertTrue(found.recovered());
    assertEquals(now.toString(), found.at(), "when it was found: the kill's time is unknown");
    assertEquals(
        List.of("web", "web-0", "shop", "k8s.io", "c1"),
        List.of(
            found.subject(),
            found.pod(),
            found.namespace(),
            found.containerdNamespace(),
            found.id()));
    assertEquals("2 OOM kills" + EventState.OOM_RECOVERED_SUFFIX, found.reason());

    // the shim published its /tasks/oom before containerd died and retried until it was back
    Instant published = lost.plusSeconds(20);
    now = now.plusSeconds(8);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), published);
    assertEquals(1, state.recentOoms().size(), "the late event is the kill we found");
    assertEquals(published.toString(), state.recentOoms().get(0).at());
    assertFalse(state.recentOoms().get(0).recovered());

    // a new OOM, published after we found the first: listed on its own
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now);
    assertEquals(2, state.recentOoms().size());
  }

  @Test
  void anExitFoundByTheReconcileIsListedWithItsTimeAndMarkedOomKilledAndRecovered() {
    ContainerInfo c1 = container("c1", WEB_0);
    index.put(c1);
    reconcile(exporterStart, running(c1, 0));
    Instant lost = now.plusSeconds(10);
    Instant exitedAt = now.plusSeconds(20);
    now = now.plusSeconds(70);
    Reconciler.TaskObservation oomKilled =
        new Reconciler.TaskObservation(
            "k8s.io",
            "c1",
            Optional.of(c1),
            OptionalLong.of(1),
            new TaskInfo("k8s.io", "c1", 0, TaskStatus.STOPPED, 137, Optional.of(exitedAt)));
    assertEquals(new EventState.Recovered(1, 1), reconcile(lost, oomKilled));
    reconcile(lost, oomKilled);
    RecentEvent exit = state.recentExits().get(0);
    assertEquals(1, state.recentExits().size());
    assertTrue(exit.recovered());
    assertEquals(exitedAt.toString(), exit.at(), "containerd's task list says when");
    assertEquals(
        "exit code 137" + EventState.OOM_EXIT_SUFFIX + EventState.EXIT_RECOVERED_SUFFIX,
        exit.reason());
    assertEquals(
        "OOM killed" + EventState.OOM_RECOVERED_SUFFIX, state.recentOoms().get(0).reason());
  }

  @Test
  void aKillCountedAtTheExitIsListedAsRecoveredUntilItsLateEventSaysWhen() {
    index.put(container("c1", WEB_0));
    state.assumeOomKillsAccounted("k8s.io", "c1", 0);
    // the shim lost /tasks/oom (containerd#8893): the exit's read of oom_kill finds the kill
    state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, now), now);
    assertEquals(1, state.countOomKillsAtExit("k8s.io", "c1", 1));
    assertTrue(state.recentOoms().get(0).recovered());
    assertEquals(
        List.of("exit code 137" + EventState.OOM_EXIT_SUFFIX),
        state.recentExits().stream().map(RecentEvent::reason).toList(),
        "the exit is an OOM kill");

    // the event after all, a moment later: it replaces the recovered entry
    Instant published = now.minusMillis(5);
    now = now.plusMillis(300);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), published);
    assertEquals(1, state.recentOoms().size());
    assertFalse(state.recentOoms().get(0).recovered());
    assertEquals(published.toString(), state.recentOoms().get(0).at());
    assertEquals(EventState.OOM_KILLED, state.recentOoms().get(0).reason());
  }

  @Test
  void aKillTheExitCountsBeforeTheLiveEventsOwnRetriesIsThatEventsNotRecovered() {
    index.put(container("c1", WEB_0));
    state.assumeOomKillsAccounted("k8s.io", "c1", 0);
    state.apply("k8s.io", new ContainerEvent.TaskOom("c1"), now); // listed live
    now = now.plusMillis(50); // cgroup v1: the counter lagged the event, the exit reads it first
    assertEquals(1, state.countOomKillsAtExit("k8s.io", "c1", 1));
    assertEquals(1, state.recentOoms().size());
    assertFalse(state.recentOoms().get(0).recovered());

    now = now.plusSeconds(60); // a kill a minute later with no event of its own
    assertEquals(1, state.countOomKillsAtExit("k8s.io", "c1", 2));
    assertEquals(2, state.recentOoms().size());
    assertTrue(state.recentOoms().get(0).recovered());
  }
}
