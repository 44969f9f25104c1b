package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.cgroup.CgroupFixtures;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.NetworkNamespace;
import io.containerdexporter.model.SpecResources;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The live path's OOM counting against cgroup fixture trees written the way the kernel writes them:
 * the count is the kernel's oom_kill increase, once, whatever the events.
 */
class OomKillCountingTest {

  private static final String SCOPE = "/kubepods.slice/kubepods-pod1.slice/cri-containerd-c1.scope";

  @TempDir Path root;

  private final ScheduledExecutorService eventThread = Executors.newSingleThreadScheduledExecutor();
  private final ContainerIndex index = new ContainerIndex();
  private final EventState state = new EventState(Clock.systemUTC(), Duration.ofMinutes(15), index);

  @AfterEach
  void stop() {
    eventThread.shutdownNow();
  }

  private OomKillCounting counting() {
    return new OomKillCounting(
        CgroupReaders.detect(
            root,
            new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total"),
            CgroupFixtures.readFailures()),
        index,
        state,
        eventThread);
  }

  private void container(String cgroupsPath) {
    index.put(
        new ContainerInfo(
            "k8s.io",
            "c1",
            "busybox",
            Map.of(),
            "io.containerd.runc.v2",
            "overlayfs",
            "c1",
            Instant.parse("2025-01-01T00:00:00Z"),
            cgroupsPath,
            Map.of(),
            SpecResources.NONE,
            NetworkNamespace.PRIVATE));
  }

  private Path v2Cgroup(long oomKills) throws Exception {
    Files.writeString(
        root.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
    Path dir = Files.createDirectories(root.resolve(SCOPE.substring(1)));
    writeV2(dir, oomKills);
    return dir;
  }

  /**
   * A cgroup v2 container (systemd driver, as kubelet on v2 sets it) with no kills, and the first
   * reconcile's baseline taken: 0.
   */
  private Path watchedV2Container() throws Exception {
    Path dir = v2Cgroup(0);
    container("kubepods-pod1.slice:cri-containerd:c1");
    eventThread.submit(() -> state.assumeOomKillsAccounted("k8s.io", "c1", 0)).get();
    return dir;
  }

  private static void writeV2(Path dir, long oomKills) throws Exception {
    Files.writeString(
        dir.resolve("memory.events"),
        "low 0\nhigh 0\nmax 17\noom "
            + (oomKills > 0 ? 1 : 0)
            + "\noom_kill "
            + oomKills
            + "\noom_group_kill "
            + (oomKills > 0 ? 1 : 0)
            + "\n");
  }

  private static void writeV1(Path dir, long oomKills) throws Exception {
    Files.writeString(
        dir.resolve("memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill " + oomKills + "\n");
  }

  /**
   * Runs on the event thread, as the subscriber does, and waits until every read (retries too) is
   * done.
   */
  private void oomEvent(OomKillCounting counting) throws Exception {
    eventThread.submit(() -> counting.onOom("k8s.io", "c1")).get();
    Thread.sleep(OomKillCounting.RETRIES.stream().mapToLong(Duration::toMillis).sum() + 300);
    eventThread.submit(() -> {}).get();
  }

  private long ooms() {
    return state.counts().containers().stream()
        .filter(s -> s.identity().name().equals("c1"))
        .findFirst()
        .orElseThrow()
        .ooms();
  }

  @Test
  void aGroupKillOfThreeProcessesOnCgroupV2CountsThreeOnceWhateverTheEvents() throws Exception {
    Path dir = v2Cgroup(0);
    container("kubepods-pod1.slice:cri-containerd:c1"); // systemd driver, as kubelet on v2 sets it
    eventThread
        .submit(() -> state.assumeOomKillsAccounted("k8s.io", "c1", 0))
        .get(); // the first reconcile's baseline
    OomKillCounting counting = counting();

    writeV2(dir, 3); // memory.oom.group=1: one OOM, every process of the cgroup killed
    oomEvent(counting);
    assertEquals(3, ooms());
    oomEvent(counting); // the shim's duplicate, or a second event for the same group kill
    assertEquals(3, ooms());
    EventState.Recovered again =
        state.reconcile(
            List.of(
                new Reconciler.TaskObservation(
                    "k8s.io",
                    "c1",
                    index.get("k8s.io", "c1"),
                    java.util.OptionalLong.of(3),
                    new io.containerdexporter.model.TaskInfo(
                        "k8s.io",
                        "c1",
                        7,
                        io.containerdexporter.model.TaskStatus.RUNNING,
                        0,
                        java.util.Optional.empty()))),
            List.of("k8s.io"),
            Instant.now());
    assertEquals(0, again.ooms(), "a reconcile after the event finds nothing missed");
    assertEquals(3, ooms());
  }

  @Test
  void onCgroupV1TheEventMayComeBeforeTheKernelCountsTheKill() throws Exception {
    Path dir = Files.createDirectories(root.resolve("memory/default/c1"));
    writeV1(dir, 0);
    container("/default/c1");
    eventThread.submit(() -> state.assumeOomKillsAccounted("k8s.io", "c1", 0)).get();
    OomKillCounting counting = counting();

    eventThread
        .submit(() -> counting.onOom("k8s.io", "c1"))
        .get(); // the eventfd fired; oom_kill still 0
    Thread.sleep(50);
    writeV1(dir, 1); // the kernel kills a moment later
    Thread.sleep(OomKillCounting.RETRIES.stream().mapToLong(Duration::toMillis).sum() + 300);
    eventThread.submit(() -> {}).get();
    assertEquals(1, ooms());
  }

  @Test
  void anOomWhoseEventTheShimLostIsCountedAtTheTasksExit() throws Exception {
    Path dir = watchedV2Container();
    OomKillCounting counting = counting();

    writeV2(dir, 4); // a group kill, and no /tasks/oom (containerd#8893): only the exit comes
    eventThread.submit(() -> counting.onInitExit("k8s.io", "c1")).get();
    assertEquals(4, ooms());
    assertEquals(
        "4 OOM kills" + EventState.OOM_RECOVERED_SUFFIX,
        state.recentOoms().get(0).reason(),
        "listed for the page, as recovered");
    oomEvent(counting); // the event after all, late
    eventThread.submit(() -> counting.onInitExit("k8s.io", "c1")).get();
    assertEquals(4, ooms(), "each kill once, whichever came first");
  }

  @Test
  void anExitWithoutABaselineCountsNothing() throws Exception {
    v2Cgroup(1); // killed before we watched: history, for the reconcile to take as baseline
    container("kubepods-pod1.slice:cri-containerd:c1");
    eventThread.submit(() -> counting().onInitExit("k8s.io", "c1")).get();
    assertEquals(
        0L,
        state.counts().containers().stream()
            .filter(c -> c.identity().name().equals("c1"))
            .mapToLong(c -> c.ooms())
            .sum());
  }

  @Test
  void aCgroupThatCannotBeReadCountsOnePerEvent() throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "memory\n");
    container("/not/on/this/host");
    OomKillCounting counting = counting();
    oomEvent(counting);
    oomEvent(counting);
    assertEquals(2, ooms());
  }

  @Test
  void withoutABaselineTheEventCountsOneEvenIfTheKernelHadCountedItAlready() throws Exception {
    v2Cgroup(2); // one kill before we watched, and this one
    container("kubepods-pod1.slice:cri-containerd:c1");
    oomEvent(counting());
    assertEquals(1, ooms());
    assertEquals(
        0,
        eventThread.submit(() -> state.countOomKills("k8s.io", "c1", 2)).get(),
        "what the kernel said is accounted for");
  }

  /** One periodic check, on the event thread, as the subscriber runs it. */
  private void check(OomKillCounting counting) throws Exception {
    eventThread.submit(() -> counting.check("k8s.io", "c1")).get();
  }

  private long recoveredOoms() {
    return state.counts().recovered().get("oom");
  }

  @Test
  void aKillNoEventToldOfIsCountedByTheSecondCheckThatSeesIt() throws Exception {
    Path dir = watchedV2Container();
    OomKillCounting counting = counting();
    check(counting);

    writeV2(dir, 1); // a kill before the shim watched the cgroup: no /tasks/oom will come
    check(counting);
    assertEquals(0, ooms(), "first sight: its event may be on its way");
    check(counting);
    assertEquals(1, ooms(), "still unaccounted a whole interval later: counted");
    assertEquals(1, recoveredOoms());
    assertEquals(
        EventState.OOM_KILLED + EventState.OOM_RECOVERED_SUFFIX,
        state.recentOoms().get(0).reason(),
        "listed for the page, as recovered");
    check(counting);
    oomEvent(counting); // an event after all
    assertEquals(1, ooms(), "each kill once");
    assertEquals(1, recoveredOoms());
  }

  @Test
  void aPollRoundsReadingIsCheckedLikeTheCgroupsOwn() throws Exception {
    watchedV2Container(); // its file says 0 throughout: the readings below are the round's
    OomKillCounting counting = counting();
    eventThread.submit(() -> counting.check("k8s.io", "c1", 0)).get();
    eventThread.submit(() -> counting.check("k8s.io", "c1", 1)).get();
    assertEquals(0, ooms(), "first sight: its event may be on its way");
    eventThread.submit(() -> counting.check("k8s.io", "c1", 1)).get();
    assertEquals(1, ooms(), "still unaccounted a round later: counted");
    assertEquals(1, recoveredOoms());
  }

  @Test
  void aKillWhoseEventArrivesBetweenTwoChecksIsTheEvents() throws Exception {
    Path dir = watchedV2Container();
    OomKillCounting counting = counting();
    check(counting);

    writeV2(dir, 2);
    check(counting); // the check reads before the event is handled
    oomEvent(counting);
    check(counting);
    check(counting);
    assertEquals(2, ooms());
    assertEquals(0, recoveredOoms(), "the event counted them: nothing recovered");
    assertEquals(List.of(), state.recentOoms(), "nothing listed as recovered");
  }

  @Test
  void aTaskStartedAgainCountsTheKillsOfItsNewCgroup() throws Exception {
    Path dir = watchedV2Container();
    OomKillCounting counting = counting();
    writeV2(dir, 1);
    oomEvent(counting);
    Instant exited = Instant.now();
    eventThread
        .submit(
            () -> {
              state.apply("k8s.io", new ContainerEvent.TaskExit("c1", "c1", 137, exited), exited);
              counting.onInitExit("k8s.io", "c1");
            })
        .get();
    assertEquals(1, ooms());

    // A restart with the same container (docker's restart policy, nerdctl, ctr): the task is
    // deleted with its cgroup, and the new task's cgroup counts from zero.
    writeV2(dir, 0);
    eventThread
        .submit(() -> state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), Instant.now()))
        .get();
    writeV2(dir, 1);
    oomEvent(counting);
    assertEquals(2, ooms(), "the new task's kill is counted, though the count equals the old one");
  }
}
