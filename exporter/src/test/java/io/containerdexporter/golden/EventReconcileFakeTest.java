package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.containerd.api.events.TaskOOM;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.MetricsText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reconciler against a fake containerd that is slow when it matters (issue 18 §2), and OOM
 * kills counted in the kernel's unit over a cgroup v2 fixture tree.
 */
class EventReconcileFakeTest {

  private static final String TASKS_LIST = "containerd.services.tasks.v1.Tasks/List";

  @TempDir Path cgroupfs;

  /** A cgroup v2 hierarchy with one container cgroup whose memory.events says {@code oomKills}. */
  private Path v2Cgroup(String path, long oomKills) throws Exception {
    Files.writeString(
        cgroupfs.resolve("cgroup.controllers"), "cpuset cpu io memory hugetlb pids rdma misc\n");
    Path dir = Files.createDirectories(cgroupfs.resolve(path.substring(1)));
    writeOomKills(dir, oomKills);
    return dir;
  }

  private static void writeOomKills(Path dir, long oomKills) throws Exception {
    Files.writeString(
        dir.resolve("memory.events"),
        "low 0\nhigh 0\nmax 3\noom "
            + Math.min(oomKills, 1)
            + "\noom_kill "
            + oomKills
            + "\noom_group_kill "
            + Math.min(oomKills, 1)
            + "\n");
  }

  private static Optional<Double> ooms(MetricsText m, String name) {
    return m.value("container_oom_events_total", "name", name);
  }

  @Test
  void aFirstReconcileThatFailsIsRetriedAndNeverLeavesAPhantomOom() throws Exception {
    Path c1 = v2Cgroup("/default/c1", 1); // c1 OOMed once before the exporter started: history
    try (FakeContainerd containerd = new FakeContainerd()) {
      FakeNamespace ns = containerd.namespace("default");
      ns.container("c1", "busybox", Map.of()).task("c1", 42, Status.RUNNING);
      ns.container("c2", "busybox", Map.of()).task("c2", 43, Status.RUNNING);
      containerd.start();
      containerd.hang(TASKS_LIST); // a slow containerd: the first reconcile runs into its deadline
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(),
              "--poll.interval=1h",
              "--containerd.timeout=1s",
              "--path.cgroupfs=" + cgroupfs)) {
        exporter.awaitScrape(
            Duration.ofSeconds(10),
            "the subscription",
            m -> m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
        exporter.awaitScrape(
            Duration.ofSeconds(10),
            "a reconcile to have failed",
            m -> containerd.calls(TASKS_LIST) >= 3);

        writeOomKills(c1, 2); // an OOM, seen live: the kernel says 2
        containerd.publish(
            "default", "/tasks/oom", TaskOOM.newBuilder().setContainerId("c1").build());
        exporter.awaitScrape(
            Duration.ofSeconds(3),
            "the live OOM counted once",
            m -> ooms(m, "c1").equals(Optional.of(1.0)));

        containerd.clearFailures(); // containerd answers again
        ns.stoppedTask(
            "c2", 3, Instant.now()); // and c2 exits, with no event: only a reconcile can tell
        exporter.awaitScrape(
            Duration.ofSeconds(40),
            "the retried reconcile to count c2's exit",
            m ->
                m.value("containerd_task_exits_total", "name", "c2", "exit_code", "other")
                    .equals(Optional.of(1.0)));

        containerd.dropEventStreams(); // containerd restarts, with no OOM meanwhile
        MetricsText m =
            exporter.awaitScrape(
                Duration.ofSeconds(10),
                "the stream back and reconciled",
                s ->
                    s.value("containerd_exporter_event_stream_reconnects_total")
                            .equals(Optional.of(1.0))
                        && s.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
        Thread.sleep(1500); // the reconnect's reconcile has run
        m = exporter.scrape();
        assertEquals(
            Optional.of(1.0), ooms(m, "c1"), "no phantom OOM from the failed first reconcile");
        assertEquals(
            Optional.of(0.0),
            m.value("containerd_exporter_events_recovered_total", "event", "oom"));
        assertEquals(
            Optional.of(1.0),
            m.value("containerd_exporter_events_recovered_total", "event", "exit"));
      }
    }
  }

  @Test
  void aGroupKillOfThreeProcessesOnCgroupV2CountsThreeOnceWhateverTheEvents() throws Exception {
    String scope =
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-c1.scope";
    Path c1 = v2Cgroup(scope, 0);
    try (FakeContainerd containerd = new FakeContainerd()) {
      containerd
          .namespace("k8s.io")
          .container(
              "c1",
              "busybox",
              Map.of(),
              FakeNamespace.spec("kubepods-burstable-pod1.slice:cri-containerd:c1", Map.of()))
          .task("c1", 42, Status.RUNNING);
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(), "--poll.interval=1h", "--path.cgroupfs=" + cgroupfs)) {
        exporter.awaitScrape(
            Duration.ofSeconds(10),
            "the subscription and the first reconcile",
            m ->
                m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
                    && ooms(m, "c1").isPresent());

        writeOomKills(
            c1, 3); // memory.oom.group=1: one OOM kills all three processes of the container
        containerd.publish(
            "k8s.io", "/tasks/oom", TaskOOM.newBuilder().setContainerId("c1").build());
        MetricsText m =
            exporter.awaitScrape(
                Duration.ofSeconds(1),
                "three kills within a second",
                s -> ooms(s, "c1").equals(Optional.of(3.0)));
        assertEquals(scope, m.samples("container_oom_events_total").get(0).labels().get("id"));

        containerd.publish(
            "k8s.io",
            "/tasks/oom",
            TaskOOM.newBuilder().setContainerId("c1").build()); // a duplicate
        containerd.dropEventStreams(); // and a reconnect with no OOM
        exporter.awaitScrape(
            Duration.ofSeconds(10),
            "the stream back",
            s ->
                s.value("containerd_exporter_event_stream_reconnects_total")
                        .equals(Optional.of(1.0))
                    && s.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
        Thread.sleep(1500);
        m = exporter.scrape();
        assertEquals(Optional.of(3.0), ooms(m, "c1"), "counted once");
        assertEquals(
            Optional.of(2.0),
            m.value(
                "containerd_events_total", "containerd_namespace", "k8s.io", "topic", "/tasks/oom"),
            "the events themselves");
        assertEquals(
            Optional.of(0.0),
            m.value("containerd_exporter_events_recovered_total", "event", "oom"));
      }
    }
  }
}
