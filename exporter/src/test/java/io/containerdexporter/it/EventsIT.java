package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.containerd.api.events.ImageUpdate;
import io.containerdexporter.events.EventState;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/** The event path against a real containerd: OOMs, exits, a containerd killed mid-way, a burst. */
@ExtendWith(ContainerdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsIT {

  private static final String NS = "ev";
  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  private static final RunOptions EIGHT_MIB =
      RunOptions.builder().memoryLimitBytes(8L << 20).build();

  /** A shell loop that doubles a string until the memory limit kills it. */
  private static final String EAT_MEMORY = "x=a; while :; do x=$x$x; done";

  private final ContainerdSandbox containerd;
  private ExporterProcess exporter;

  EventsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @BeforeAll
  void start() {
    containerd.createNamespace(NS);
    containerd.importBusybox(NS, BUSYBOX);
    exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s");
  }

  @AfterAll
  void stop() {
    if (exporter != null) {
      exporter.close();
    }
  }

  @BeforeEach
  void containerdRunsAndTheStreamIsUp() {
    if (!containerd.daemonRunning()) {
      containerd.restartDaemon();
    }
    Await.until(
        Duration.ofSeconds(10),
        "event stream up",
        exporter::scrape,
        m -> m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
  }

  private Optional<Double> ooms(String id) {
    return exporter
        .scrape()
        .value("container_oom_events_total", "name", id, "containerd_namespace", NS);
  }

  private long kernelOomKills(String id) {
    Path file = Path.of("/sys/fs/cgroup/memory", NS, id, "memory.oom_control");
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith("oom_kill "))
          .mapToLong(l -> Long.parseLong(l.split(" ")[1]))
          .findFirst()
          .orElse(-1);
    } catch (IOException e) {
      return -1;
    }
  }

  @Test
  void anOomOfPid1IsCountedOnceWithinASecondWithItsLabels() {
    containerd.run(NS, "oom-pid1", BUSYBOX, EIGHT_MIB, "sh", "-c", EAT_MEMORY);
    containerd.awaitTaskStatus(NS, "oom-pid1", "STOPPED", Duration.ofSeconds(20));
    MetricsText m =
        Await.until(
            Duration.ofSeconds(3),
            "the OOM on /metrics within 3 s (about one on an idle node; this one is shared)",
            exporter::scrape,
            s ->
                s.value("container_oom_events_total", "name", "oom-pid1").equals(Optional.of(1.0)));

    MetricsText.Sample oom =
        m.samples("container_oom_events_total").stream()
            .filter(s -> s.labels().get("name").equals("oom-pid1"))
            .findFirst()
            .orElseThrow();
    assertEquals("/" + NS + "/oom-pid1", oom.labels().get("id"));
    assertEquals(BUSYBOX, oom.labels().get("image"));
    assertEquals(NS, oom.labels().get("containerd_namespace"));
    assertEquals("", oom.labels().get("pod"), "not a Kubernetes container");
    assertEquals(
        Optional.of(1.0),
        m.value("containerd_task_exits_total", "name", "oom-pid1", "exit_code", "137"));
    assertEquals(Optional.of(137.0), m.value("containerd_task_last_exit_code", "name", "oom-pid1"));
    assertEquals(Optional.of(1.0), m.value("containerd_task_starts_total", "name", "oom-pid1"));

    // Counted once, not again by a poll or anything else.
    containerd.deleteTask(NS, "oom-pid1");
    sleep(Duration.ofSeconds(2));
    assertEquals(Optional.of(1.0), ooms("oom-pid1"));
  }

  @Test
  void anOomOfAChildIsCountedWhilePid1LivesOn() {
    containerd.run(
        NS,
        "oom-child",
        BUSYBOX,
        EIGHT_MIB,
        "sh",
        "-c",
        "sh -c '" + EAT_MEMORY + "'; exec sleep 100000");
    Await.until(
        Duration.ofSeconds(20),
        "the kernel to OOM-kill the child",
        () -> kernelOomKills("oom-child"),
        n -> n == 1);
    Await.until(
        Duration.ofSeconds(3),
        "the OOM on /metrics within 3 s (about one on an idle node; this one is shared)",
        () -> ooms("oom-child"),
        v -> v.equals(Optional.of(1.0)));
    assertEquals("RUNNING", containerd.taskStatus(NS, "oom-child"));
    assertEquals(
        Optional.empty(),
        exporter.scrape().value("containerd_task_last_exit_code", "name", "oom-child"),
        "PID 1 did not exit");
  }

  @Test
  void aTaskStartedAgainInTheSameContainerHasItsNewCgroupsOomCounted() {
    String id = "oom-again";
    containerd.run(
        NS, id, BUSYBOX, EIGHT_MIB, "sh", "-c", "sh -c '" + EAT_MEMORY + "'; exec sleep 100000");
    Await.until(
        Duration.ofSeconds(20), "the first task's kill", () -> kernelOomKills(id), n -> n == 1);
    Await.until(
        Duration.ofSeconds(3),
        "the first kill on /metrics",
        () -> ooms(id),
        v -> v.equals(Optional.of(1.0)));

    // A restart under the same container, as docker's restart policy does it: the task and its
    // cgroup are deleted, and the new task's cgroup counts from zero.
    containerd.kill(NS, id, "SIGKILL");
    containerd.awaitTaskStatus(NS, id, "STOPPED", Duration.ofSeconds(10));
    containerd.deleteTask(NS, id);
    containerd.startTask(NS, id);
    Await.until(
        Duration.ofSeconds(20), "the second task's kill", () -> kernelOomKills(id), n -> n == 1);
    Await.until(
        Duration.ofSeconds(3),
        "the second kill on /metrics, though the new cgroup's count equals the old one's",
        () -> ooms(id),
        v -> v.equals(Optional.of(2.0)));
    MetricsText m = exporter.scrape();
    assertEquals(
        Optional.of(2.0),
        m.value("containerd_task_starts_total", "name", id, "containerd_namespace", NS));
    sleep(Duration.ofSeconds(3)); // three checks: nothing more is found
    assertEquals(Optional.of(2.0), ooms(id));
  }

  @Test
  void exitCodesAreCountedUnderTheirLabel() {
    containerd.run(NS, "exit-0", BUSYBOX, RunOptions.DEFAULTS, "sh", "-c", "exit 0");
    containerd.run(NS, "exit-1", BUSYBOX, RunOptions.DEFAULTS, "sh", "-c", "exit 1");
    containerd.run(NS, "exit-137", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
    containerd.kill(NS, "exit-137", "SIGKILL");
    for (String[] expected :
        new String[][] {{"exit-0", "0"}, {"exit-1", "1"}, {"exit-137", "137"}}) {
      Await.until(
          Duration.ofSeconds(10),
          expected[0] + " counted under exit_code " + expected[1],
          exporter::scrape,
          m ->
              m.value("containerd_task_exits_total", "name", expected[0], "exit_code", expected[1])
                  .equals(Optional.of(1.0)));
      MetricsText m = exporter.scrape();
      assertEquals(
          1,
          m.samples("containerd_task_exits_total").stream()
              .filter(s -> s.labels().get("name").equals(expected[0]))
              .count(),
          "one exit code series");
      assertEquals(
          Optional.of(Double.parseDouble(expected[1])),
          m.value("containerd_task_last_exit_code", "name", expected[0]));
    }
  }

  @Test
  void anOomWhileContainerdIsDownIsCountedExactlyOnceAfterItReturns() {
    // The child waits, so the OOM happens while containerd is dead; the shim and the task keep
    // running.
    containerd.run(
        NS,
        "oom-away",
        BUSYBOX,
        EIGHT_MIB,
        "sh",
        "-c",
        "sleep 3; sh -c '" + EAT_MEMORY + "'; exec sleep 100000");
    Await.until(
        Duration.ofSeconds(5),
        "the exporter to know the task",
        exporter::scrape,
        m -> m.value("container_oom_events_total", "name", "oom-away").equals(Optional.of(0.0)));
    MetricsText before = exporter.scrape();
    double reconnectsBefore =
        before.value("containerd_exporter_event_stream_reconnects_total").orElseThrow();
    // The class shares one exporter: what other tests' reconnects recovered is not this test's.
    double recoveredBefore =
        before.value("containerd_exporter_events_recovered_total", "event", "oom").orElse(0.0);

    containerd.killDaemon();
    Await.until(
        Duration.ofSeconds(20),
        "the OOM to happen while containerd is down",
        () -> kernelOomKills("oom-away"),
        n -> n == 1);
    assertEquals(Optional.of(0.0), exporter.scrape().value("containerd_exporter_event_stream_up"));

    containerd.restartDaemon();
    Await.until(
        Duration.ofSeconds(15),
        "the missed OOM to be counted after reconnecting",
        () -> ooms("oom-away"),
        v -> v.equals(Optional.of(1.0)));
    MetricsText m = exporter.scrape();
    assertEquals(
        Optional.of(recoveredBefore + 1),
        m.value("containerd_exporter_events_recovered_total", "event", "oom"),
        "this OOM recovered once by the reconcile");
    assertEquals(
        Optional.of(reconnectsBefore + 1),
        m.value("containerd_exporter_event_stream_reconnects_total"));

    // Whatever the shim publishes late must not count it a second time.
    sleep(Duration.ofSeconds(5));
    assertEquals(Optional.of(1.0), ooms("oom-away"));
    assertEquals("RUNNING", containerd.taskStatus(NS, "oom-away"));

    // and the node page lists it once: recovered, or, if the shim's late event came, as that event
    List<JsonNode> listed = new ArrayList<>();
    topJson()
        .path("recentOoms")
        .forEach(
            e -> {
              if (e.path("id").asText().equals("oom-away")) {
                listed.add(e);
              }
            });
    assertEquals(1, listed.size(), "listed once: " + listed);
    JsonNode kill = listed.get(0);
    assertEquals(
        kill.path("recovered").asBoolean(),
        kill.path("reason").asText().endsWith(EventState.OOM_RECOVERED_SUFFIX),
        kill.toString());
  }

  @Test
  void aReconnectWithNoOomMeanwhileAddsNothingToAContainerWithOomHistory() {
    containerd.run(
        NS,
        "oom-history",
        BUSYBOX,
        EIGHT_MIB,
        "sh",
        "-c",
        "sh -c '" + EAT_MEMORY + "'; exec sleep 100000");
    Await.until(
        Duration.ofSeconds(20),
        "the kernel to OOM-kill the child",
        () -> kernelOomKills("oom-history"),
        n -> n == 1);
    Await.until(
        Duration.ofSeconds(3),
        "the OOM on /metrics within 3 s (about one on an idle node; this one is shared)",
        () -> ooms("oom-history"),
        v -> v.equals(Optional.of(1.0)));
    MetricsText before = exporter.scrape();

    containerd.killDaemon();
    sleep(Duration.ofSeconds(2));
    containerd.restartDaemon();
    Await.until(
        Duration.ofSeconds(15),
        "the stream back",
        exporter::scrape,
        m ->
            m.value("containerd_exporter_event_stream_reconnects_total")
                    .equals(
                        Optional.of(
                            before
                                    .value("containerd_exporter_event_stream_reconnects_total")
                                    .orElseThrow()
                                + 1))
                && m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
    sleep(Duration.ofSeconds(7)); // the reconcile, and its second pass 5 s later
    MetricsText after = exporter.scrape();
    assertEquals(
        Optional.of(1.0), after.value("container_oom_events_total", "name", "oom-history"));
    assertEquals(
        before.value("containerd_exporter_events_recovered_total", "event", "oom"),
        after.value("containerd_exporter_events_recovered_total", "event", "oom"),
        "nothing recovered");
  }

  @Test
  void anOomAndAnExitBeforeTheFirstSubscriptionAreCountedOnce() throws IOException {
    // A second exporter that cannot reach containerd yet: its socket path appears only later.
    Path socket = containerd.tempDir().resolve("late-exporter.sock");
    try (ExporterProcess late =
        ExporterProcess.start(socket, "--poll.interval=1s", "--poll.timeout=1s")) {
      containerd.run(
          NS,
          "oom-early",
          BUSYBOX,
          EIGHT_MIB,
          "sh",
          "-c",
          "sh -c '" + EAT_MEMORY + "'; exec sleep 100000");
      containerd.run(NS, "exit-early", BUSYBOX, RunOptions.DEFAULTS, "sh", "-c", "exit 3");
      Await.until(
          Duration.ofSeconds(20),
          "the kernel to OOM-kill the child",
          () -> kernelOomKills("oom-early"),
          n -> n == 1);
      containerd.awaitTaskStatus(NS, "exit-early", "STOPPED", Duration.ofSeconds(20));
      assertEquals(Optional.of(0.0), late.scrape().value("containerd_exporter_event_stream_up"));

      Files.createSymbolicLink(socket, containerd.socket());
      MetricsText m =
          Await.until(
              Duration.ofSeconds(30),
              "both recovered by the first reconcile",
              late::scrape,
              s ->
                  s.value("container_oom_events_total", "name", "oom-early")
                          .equals(Optional.of(1.0))
                      && s.value(
                              "containerd_task_exits_total",
                              "name",
                              "exit-early",
                              "exit_code",
                              "other")
                          .equals(Optional.of(1.0)));
      assertEquals(
          Optional.of(1.0), m.value("containerd_exporter_events_recovered_total", "event", "oom"));
      assertEquals(
          Optional.of(1.0), m.value("containerd_exporter_events_recovered_total", "event", "exit"));
      assertEquals(
          Optional.of(0.0),
          m.value("containerd_exporter_event_stream_reconnects_total"),
          "the first subscription, not a reconnect");

      sleep(Duration.ofSeconds(7)); // the second reconcile pass, 5 s after the first
      m = late.scrape();
      assertEquals(
          Optional.of(1.0), m.value("container_oom_events_total", "name", "oom-early"), "once");
      assertEquals(
          Optional.of(1.0),
          m.value("containerd_task_exits_total", "name", "exit-early", "exit_code", "other"));
      assertEquals(
          Optional.of(1.0), ooms("oom-early"), "and once by the exporter that watched it live");
    } finally {
      Files.deleteIfExists(socket);
    }
  }

  @Test
  void aBurstOfAThousandEventsIsCountedExactly() {
    String ns = "burst";
    containerd.createNamespace(ns);
    try (EventPublisher publisher = new EventPublisher(containerd.socket())) {
      for (int i = 0; i < 1000; i++) {
        publisher.publish(
            ns, "/images/update", ImageUpdate.newBuilder().setName("image-" + i).build());
      }
    }
    Await.until(
        Duration.ofSeconds(10),
        "all 1000 events counted",
        exporter::scrape,
        m ->
            m.value("containerd_image_events_total", "containerd_namespace", ns, "action", "update")
                .equals(Optional.of(1000.0)));
    MetricsText m = exporter.scrape();
    assertEquals(
        Optional.of(1000.0),
        m.value("containerd_events_total", "containerd_namespace", ns, "topic", "/images/update"));
    assertTrue(exporter.isAlive());
  }

  private JsonNode topJson() {
    try {
      return new ObjectMapper().readTree(exporter.get("/api/v1/top").body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
