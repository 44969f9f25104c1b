package io.containerdexporter.golden;

import static io.containerdexporter.containerd.api.services.snapshots.v1.Kind.ACTIVE;
import static io.containerdexporter.containerd.api.services.snapshots.v1.Kind.COMMITTED;
import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static io.containerdexporter.golden.InProcessExporter.COLLECTORS;
import static io.containerdexporter.golden.InProcessExporter.allSucceeded;
import static io.containerdexporter.golden.InProcessExporter.hasValue;
import static io.containerdexporter.golden.InProcessExporter.success;
import static io.containerdexporter.golden.InProcessExporter.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.containerd.api.services.namespaces.v1.NamespacesGrpc;
import io.containerdexporter.containerd.api.services.snapshots.v1.SnapshotsGrpc;
import io.containerdexporter.fake.FakeBlob;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeImage;
import io.containerdexporter.it.Await;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.logging.LogCapture;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The poller against a containerd that fails or hangs on some calls: one collector's trouble must
 * not cost the others, a failing collector keeps serving its last values (stale, and saying so),
 * and a hung call must not pile up.
 */
class PollerFailureTest {

  private static final String SNAPSHOTS_LIST = SnapshotsGrpc.getListMethod().getFullMethodName();
  private static final String NAMESPACES_LIST = NamespacesGrpc.getListMethod().getFullMethodName();
  private static final Duration WAIT = Duration.ofSeconds(8);

  private static final FakeImage BUSYBOX =
      FakeImage.singleManifest("busybox", new int[] {4_321, 100});
  private static final long BUSYBOX_BYTES =
      BUSYBOX.blobs().stream().mapToLong(FakeBlob::size).sum();

  private final FakeContainerd containerd = new FakeContainerd();
  private InProcessExporter exporter;

  /** Small on purpose: the golden test covers the inventory, this one the failure handling. */
  private void install() {
    containerd
        .namespace("default")
        .image("docker.io/library/busybox:1.36", BUSYBOX)
        .container("web", "docker.io/library/busybox:1.36", Map.of())
        .container("batch", "docker.io/library/busybox:1.36", Map.of())
        .task("web", 101, RUNNING)
        .stoppedTask("batch", 1, Instant.parse("2025-01-01T00:00:00Z"))
        .snapshot("overlayfs", "sha256:" + "a".repeat(64), "", COMMITTED, 1_048_576)
        .snapshot("overlayfs", "web", "sha256:" + "a".repeat(64), ACTIVE, 8_192);
    containerd
        .namespace("k8s.io")
        .container("pause", "registry.k8s.io/pause:3.10", Map.of())
        .task("pause", 202, RUNNING);
  }

  @AfterEach
  void close() {
    if (exporter != null) {
      exporter.close();
    }
    containerd.close();
    Await.until(
        Duration.ofSeconds(5),
        "the fake's threads to end",
        PollerFailureTest::fakeThreads,
        List::isEmpty);
  }

  private static List<String> fakeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith(FakeContainerd.THREAD_PREFIX))
        .toList();
  }

  /**
   * A containerd that answers, but with errors (here its Version, the monitor's probe): one clear
   * line naming the gRPC code and message, containerd_up 0, and the exporter keeps serving.
   */
  @Test
  void aContainerdAnsweringWithErrorsIsUp0SaidOnceAndTheExporterServes() throws Exception {
    install();
    containerd.failWith(
        io.containerdexporter.containerd.api.services.version.v1.VersionGrpc.getVersionMethod()
            .getFullMethodName(),
        Status.INTERNAL.withDescription("version service broken"));
    containerd.start();
    LogCapture capture = LogCapture.of(io.containerdexporter.containerd.ConnectionMonitor.class);
    List<String> warnings = capture.warnings();
    try {
      exporter = InProcessExporter.start(containerd.socket(), "--poll.interval=1h");
      exporter.awaitScrape(
          WAIT,
          "containerd_up 0 and the cause logged",
          m -> hasValue(m, 0, "containerd_up") && !warnings.isEmpty());
      Thread.sleep(1_500); // retries at 250, 500 ms…: the same cause, not logged again
      assertEquals(200, exporter.get("/metrics").status());
      assertEquals(200, exporter.get("/-/healthy").status());
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(
          warnings
              .get(0)
              .startsWith(
                  "containerd at "
                      + containerd.socket()
                      + " is not reachable: INTERNAL: version service broken; retry 1 in "),
          warnings.get(0));
    } finally {
      capture.close();
    }
  }

  @Test
  void aFailingRpcFailsOnlyItsCollectorAndTheScrapeStillAnswers() throws Exception {
    install();
    containerd.failWith(
        SNAPSHOTS_LIST,
        Status.UNAVAILABLE.withDescription("connection error: transport is closing"));
    containerd.start();
    exporter = InProcessExporter.start(containerd.socket(), "--poll.interval=1h");

    MetricsText m =
        exporter.awaitScrape(
            WAIT,
            "snapshots to have failed and the others to succeed",
            s ->
                s.value("containerd_exporter_collector_failures_total", "collector", "snapshots")
                            .orElse(0.0)
                        >= 1
                    && COLLECTORS.stream()
                        .filter(c -> !c.equals("snapshots"))
                        .allMatch(c -> success(s, c) == 1));

    InProcessExporter.Response response = exporter.get("/metrics");
    assertEquals(200, response.status());
    assertEquals(0, success(m, "snapshots"));
    assertTrue(containerd.calls(SNAPSHOTS_LIST) >= 1, "the failure was actually served");
    // Never succeeded, so nothing stale to serve: the families are absent, not zero.
    assertTrue(m.samples("containerd_snapshots").isEmpty(), m.text());
    assertTrue(m.samples("containerd_snapshots_size_bytes").isEmpty(), m.text());

    assertEquals(2, value(m, "containerd_containers", "containerd_namespace", "default"));
    assertEquals(1, value(m, "containerd_containers", "containerd_namespace", "k8s.io"));
    assertEquals(
        1, value(m, "containerd_tasks", "containerd_namespace", "default", "status", "running"));
    assertEquals(
        1, value(m, "containerd_tasks", "containerd_namespace", "default", "status", "stopped"));
    assertEquals(
        1, value(m, "containerd_tasks", "containerd_namespace", "k8s.io", "status", "running"));
    assertEquals(1, value(m, "containerd_images", "containerd_namespace", "default"));
    assertEquals(0, value(m, "containerd_images", "containerd_namespace", "k8s.io"));
    assertEquals(
        BUSYBOX_BYTES, value(m, "containerd_images_size_bytes", "containerd_namespace", "default"));
    assertEquals(4, value(m, "containerd_content_blobs", "containerd_namespace", "default"));
    assertEquals(
        BUSYBOX_BYTES,
        value(m, "containerd_content_size_bytes", "containerd_namespace", "default"));
    assertEquals(0, value(m, "containerd_content_ingests", "containerd_namespace", "default"));

    String body = response.body();
    for (String leak :
        List.of("Exception", "\tat ", "UNAVAILABLE", "transport is closing", "io.grpc")) {
      assertFalse(
          body.contains(leak), "the scrape must not carry error details (" + leak + "):\n" + body);
    }
  }

  @Test
  void aHungRpcMakesItsCollectorStaleWithoutPilingUpCallsAndItRecovers() throws Exception {
    install();
    containerd.start();
    exporter =
        InProcessExporter.start(containerd.socket(), "--poll.timeout=500ms", "--poll.interval=1s");
    MetricsText before =
        exporter.awaitScrape(WAIT, "a first successful poll", InProcessExporter::allSucceeded);

    int callsBeforeHang = containerd.calls(SNAPSHOTS_LIST);
    double failuresBeforeHang = failures(before, "snapshots");
    containerd.hang(SNAPSHOTS_LIST);
    MetricsText firstStale =
        exporter.awaitScrape(WAIT, "snapshots to time out", s -> success(s, "snapshots") == 0);
    // Taken here, not from `before`: a round may have succeeded between that scrape and the hang.
    double snapshotsLastSuccess = lastSuccess(firstStale, "snapshots");
    double containersLastSuccess = lastSuccess(firstStale, "containers");
    // Changed only now that no round can still read them through an answered Snapshots/List: the
    // containers
    // collector must show the change, the stuck snapshots collector must not.
    containerd
        .namespace("default")
        .container("late", "docker.io/library/busybox:1.36", Map.of())
        .snapshot("overlayfs", "late", "sha256:" + "a".repeat(64), ACTIVE, 4_096);

    MetricsText stale =
        exporter.awaitScrape(
            WAIT,
            "another timed-out round while containers moves on",
            s ->
                failures(s, "snapshots") >= failures(firstStale, "snapshots") + 1
                    && hasValue(s, 3, "containerd_containers", "containerd_namespace", "default")
                    && lastSuccess(s, "containers") > containersLastSuccess);

    assertEquals(0, success(stale, "snapshots"));
    assertEquals(
        snapshotsLastSuccess,
        lastSuccess(stale, "snapshots"),
        "last success stays at the old poll");
    COLLECTORS.stream()
        .filter(c -> !c.equals("snapshots"))
        .forEach(c -> assertEquals(1, success(stale, c), c + " keeps succeeding"));
    assertEquals(
        1,
        value(
            stale,
            "containerd_snapshots",
            "containerd_namespace",
            "default",
            "snapshotter",
            "overlayfs",
            "kind",
            "active"),
        "the previous value, not the new snapshot");
    assertEquals(
        1_048_576 + 8_192,
        value(
            stale,
            "containerd_snapshots_size_bytes",
            "containerd_namespace",
            "default",
            "snapshotter",
            "overlayfs"),
        "the previous value");

    // Single flight: the poller never has two List calls open at once, and makes at most one per
    // timed-out round.
    assertEquals(
        1, containerd.maxInFlight(SNAPSHOTS_LIST), "Snapshots/List calls open at the same time");
    int hungCalls = containerd.calls(SNAPSHOTS_LIST) - callsBeforeHang;
    double hungRounds = failures(stale, "snapshots") - failuresBeforeHang;
    assertTrue(
        hungCalls >= 1 && hungCalls <= hungRounds + 1,
        hungCalls + " Snapshots/List calls in " + hungRounds + " timed-out rounds");

    containerd.clearFailures();
    MetricsText recovered =
        exporter.awaitScrape(
            WAIT,
            "snapshots to recover with fresh values",
            s ->
                success(s, "snapshots") == 1
                    && hasValue(
                        s,
                        2,
                        "containerd_snapshots",
                        "containerd_namespace",
                        "default",
                        "snapshotter",
                        "overlayfs",
                        "kind",
                        "active"));
    assertTrue(lastSuccess(recovered, "snapshots") > snapshotsLastSuccess);
    assertEquals(
        1_048_576 + 8_192 + 4_096,
        value(
            recovered,
            "containerd_snapshots_size_bytes",
            "containerd_namespace",
            "default",
            "snapshotter",
            "overlayfs"));
  }

  @Test
  void whenNamespacesCannotBeListedEveryCollectorFailsAndKeepsItsValues() throws Exception {
    install();
    containerd.start();
    exporter =
        InProcessExporter.start(containerd.socket(), "--poll.timeout=500ms", "--poll.interval=1s");
    exporter.awaitScrape(WAIT, "a first successful poll", InProcessExporter::allSucceeded);

    containerd.failWith(NAMESPACES_LIST, Status.UNAVAILABLE);
    MetricsText firstFailed =
        exporter.awaitScrape(
            WAIT,
            "every collector to fail",
            s -> COLLECTORS.stream().allMatch(c -> success(s, c) == 0));
    // Changed only now: a round that listed namespaces just before the failure could still have
    // read it.
    containerd.namespace("default").container("late", "docker.io/library/busybox:1.36", Map.of());

    MetricsText failed =
        exporter.awaitScrape(
            WAIT,
            "another failed round",
            s ->
                COLLECTORS.stream()
                    .allMatch(
                        c -> success(s, c) == 0 && failures(s, c) >= failures(firstFailed, c) + 1));
    assertEquals(
        2,
        value(failed, "containerd_containers", "containerd_namespace", "default"),
        "the previous value");
    assertEquals(
        1,
        value(failed, "containerd_tasks", "containerd_namespace", "k8s.io", "status", "running"));
    assertEquals(
        BUSYBOX_BYTES,
        value(failed, "containerd_images_size_bytes", "containerd_namespace", "default"));
    assertEquals(4, value(failed, "containerd_content_blobs", "containerd_namespace", "default"));
    assertEquals(
        1,
        value(
            failed,
            "containerd_snapshots",
            "containerd_namespace",
            "default",
            "snapshotter",
            "overlayfs",
            "kind",
            "active"));
    assertEquals(
        1,
        value(
            failed,
            "containerd_image_info",
            "containerd_namespace",
            "default",
            "image",
            "docker.io/library/busybox:1.36"));

    containerd.clearFailures();
    exporter.awaitScrape(
        WAIT,
        "every collector to recover with fresh values",
        s ->
            allSucceeded(s)
                && hasValue(s, 3, "containerd_containers", "containerd_namespace", "default"));
  }

  private static double lastSuccess(MetricsText m, String collector) {
    return value(
        m, "containerd_exporter_collector_last_success_timestamp_seconds", "collector", collector);
  }

  private static double failures(MetricsText m, String collector) {
    return value(m, "containerd_exporter_collector_failures_total", "collector", collector);
  }
}
