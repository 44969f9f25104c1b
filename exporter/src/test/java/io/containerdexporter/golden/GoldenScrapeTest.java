package io.containerdexporter.golden;

import static io.containerdexporter.containerd.api.services.snapshots.v1.Kind.ACTIVE;
import static io.containerdexporter.containerd.api.services.snapshots.v1.Kind.COMMITTED;
import static io.containerdexporter.containerd.api.services.snapshots.v1.Kind.VIEW;
import static io.containerdexporter.containerd.api.types.task.Status.CREATED;
import static io.containerdexporter.containerd.api.types.task.Status.PAUSED;
import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static io.containerdexporter.containerd.api.types.task.Status.UNKNOWN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeImage;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.it.Promtool;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * node_exporter-style end-to-end golden test: a fake containerd with a fixed inventory, the
 * exporter started in this JVM, one scrape, the non-deterministic lines dropped, and the rest
 * compared byte for byte with src/test/resources/golden/inventory.prom.
 *
 * <p>After an intended change of the exposition, regenerate the file and review its diff by hand:
 *
 * <pre>  mvn -q -pl exporter -o test -Dtest=GoldenScrapeTest -Dgolden.update=true</pre>
 *
 * The hand computation below must still hold for every value that changed.
 *
 * <h2>The inventory, and each value of the golden file computed by hand</h2>
 *
 * Namespaces (sorted as containerd lists them): {@code default}, {@code empty} (nothing in it),
 * {@code k8s.io}. Snapshotters: overlayfs and native loaded, zfs failed to load (so the exporter
 * must skip it).
 *
 * <p>Blob sizes in bytes, checked independently of this code: the blobs dumped to files, sizes by
 * {@code wc -c}, digests by {@code sha256sum}, the graph followed with {@code jq}. Image A, {@code
 * registry.example/app} (OCI index, BuildKit style; digest f4e5fda3...):
 *
 * <pre>
 *   index                                              883
 *   linux/amd64     manifest 558  config 251  layers 31457 + 2048
 *   linux/arm64/v8  manifest 558  config 251  layers 29999 + 2050   (in the store, not for this host)
 *   unknown/unknown attestation manifest 524  config 94  in-toto layers 218 + 225   (never counted)
 * </pre>
 *
 * Image B, {@code docker.io/library/busybox:1.36} (Docker schema 2, no index; digest 26cc7832...):
 * manifest 584, config 255, layers 4321 + 100. Image C, {@code registry.k8s.io/pause:3.10} (digest
 * 8af71d03...): manifest 582, config 253, layers 321 + 32.
 *
 * <pre>
 * A for linux/amd64 = 883 + 558 + 251 + 31457 + 2048            = 35197
 * B                 = 584 + 255 + 4321 + 100                    =  5260
 * C                 = 582 + 253 + 321 + 32                      =  1188
 *
 * containerd_image_size_bytes   default app:1.0 = app:latest = A = 35197; default busybox = B = 5260;
 *                               k8s.io busybox = B = 5260; k8s.io pause = C = 1188
 * containerd_image_info         one series per image record, digest = the record's target (A's index, B's, C's
 *                               manifest); busybox in both namespaces
 * containerd_images_size_bytes  default = A + B = 40457 (app:1.0 and app:latest share every blob: counted once)
 *                               k8s.io  = B + C =  6448;  empty = 0
 * containerd_images             default 3, empty 0, k8s.io 2
 *
 * content (every blob of each image is in the store, foreign platform and attestation included)
 *   A all blobs = 883 + (558+251+31457+2048) + (558+251+29999+2050) + (524+94+218+225)
 *               = 883 + 34314 + 32858 + 1061 = 69116, in 13 blobs
 *   containerd_content_blobs       default 13 + 4 = 17, k8s.io 4 + 4 = 8, empty 0
 *   containerd_content_size_bytes  default 69116 + 5260 = 74376, k8s.io 5260 + 1188 = 6448, empty 0
 *   ingests in default: a fresh one (updated now) 1048576 of 8388608 bytes, a stalled one (updated 1 h ago, more
 *   than --content.stall-after=2m) 524288 of 2097152 bytes:
 *   containerd_content_ingests default 2, _ingest_bytes default 1048576 + 524288 = 1572864, _ingests_stalled 1
 *
 * containerd_containers  default 6 (web worker batch paused ghost idle; idle has no task), empty 0, k8s.io 2
 * containerd_tasks       default: running 1 (web), stopped 1 (worker), created 1 (batch), paused 1, unknown 1
 *                        (ghost), pausing 0; k8s.io: running 2; empty: all 0
 *
 * snapshots (namespace/snapshotter: kinds (usage))                                   containerd_snapshots_size_bytes
 *   default/overlayfs  committed 2 (409600 + 1048576), active 1 (8192), view 1 (0)   1466368
 *   default/native     committed 1 (2097152), active 1 (4096)                        2101248
 *   k8s.io/overlayfs   committed 2 (4096 + 1048576), active 2 (12288 + 16384)        1081344
 *   k8s.io/native and empty/*: no snapshots, every kind 0; zfs failed to load: no series at all
 *
 * per-container families (one series per container with a task: 5 in default, 2 in k8s.io; idle has none), all 0
 * as no event is published: id = the cgroup from the spec, /default/NAME for ctr-style containers, the systemd
 * expansion /kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0b1c..._...slice/cri-containerd-ID.scope
 * for the CRI ones, whose namespace/pod/container labels come from kubelet's labels (the sandbox has no container);
 * event stream up 1, reconnects, decode errors and recovered events 0 (the fake holds Subscribe open, silent).
 *
 * self metrics: every collector success 1 and failures 0; render errors 0; containerd_up 1;
 * containerd_info{version="v2.1.4",revision="golden"}.
 * </pre>
 */
class GoldenScrapeTest {

  static final String GOLDEN = "inventory.prom";

  /** Families that vary from run to run: the JVM's, timings, timestamps and our build info. */
  private static final Pattern NON_DETERMINISTIC =
      Pattern.compile(
          "jvm_.*|process_.*|containerd_exporter_build_info|.*_duration_seconds|.*_timestamp_seconds"
              + "|containerd_exporter_poll_duration_seconds");

  static final String POD_UID = "0b1c2d3e_4f50_4a6b_8c7d_9e0f1a2b3c4d";
  static final String POD_SLICE = "kubepods-besteffort-pod" + POD_UID + ".slice";

  static final FakeImage APP =
      FakeImage.multiPlatformIndex("app", new int[] {31_457, 2_048}, new int[] {29_999, 2_050});
  static final FakeImage BUSYBOX = FakeImage.singleManifest("busybox", new int[] {4_321, 100});
  static final FakeImage PAUSE = FakeImage.singleManifest("pause", new int[] {321, 32});

  /**
   * The inventory described in the class comment; {@code now} is when the fresh ingest last made
   * progress.
   */
  static void install(FakeContainerd containerd, Instant now) {
    containerd
        .version("v2.1.4", "golden")
        .snapshotter("overlayfs")
        .snapshotter("native")
        .brokenSnapshotter(
            "zfs",
            "path /var/lib/containerd/io.containerd.snapshotter.v1.zfs must be a zfs filesystem");
    containerd
        .namespace("default")
        .image("registry.example/app:1.0", APP)
        .image("registry.example/app:latest", APP)
        .image("docker.io/library/busybox:1.36", BUSYBOX)
        .container("web", "registry.example/app:1.0", Map.of("app", "web"))
        .container("worker", "registry.example/app:1.0", Map.of("app", "worker"))
        .container("batch", "docker.io/library/busybox:1.36", Map.of())
        .container("paused", "docker.io/library/busybox:1.36", Map.of())
        .container("ghost", "docker.io/library/busybox:1.36", Map.of())
        .container("idle", "docker.io/library/busybox:1.36", Map.of())
        .task("web", 4101, RUNNING)
        .stoppedTask("worker", 137, Instant.parse("2025-01-01T01:00:00Z"))
        .task("batch", 4203, CREATED)
        .task("paused", 4204, PAUSED)
        .task("ghost", 4205, UNKNOWN)
        .ingest("layer-sha256:" + "2".repeat(64), 1_048_576, 8_388_608, now.minusSeconds(30), now)
        .ingest(
            "layer-sha256:" + "1".repeat(64),
            524_288,
            2_097_152,
            now.minus(Duration.ofHours(2)),
            now.minus(Duration.ofHours(1)))
        .snapshot("overlayfs", "sha256:" + "a".repeat(64), "", COMMITTED, 409_600)
        .snapshot(
            "overlayfs",
            "sha256:" + "b".repeat(64),
            "sha256:" + "a".repeat(64),
            COMMITTED,
            1_048_576)
        .snapshot("overlayfs", "web", "sha256:" + "b".repeat(64), ACTIVE, 8_192)
        .snapshot("overlayfs", "view-backup", "sha256:" + "b".repeat(64), VIEW, 0)
        .snapshot("native", "sha256:" + "c".repeat(64), "", COMMITTED, 2_097_152)
        .snapshot("native", "worker", "sha256:" + "c".repeat(64), ACTIVE, 4_096);
    containerd.namespace("empty");
    containerd
        .namespace("k8s.io")
        .image("docker.io/library/busybox:1.36", BUSYBOX)
        .image("registry.k8s.io/pause:3.10", PAUSE)
        // As containerd's CRI plugin creates them for kubelet with the systemd cgroup driver.
        .container(
            "pause-abc",
            "registry.k8s.io/pause:3.10",
            Map.of(
                "io.cri-containerd.kind", "sandbox",
                "io.kubernetes.pod.namespace", "kube-system",
                "io.kubernetes.pod.name", "busybox-7d9f",
                "io.kubernetes.pod.uid", POD_UID.replace('_', '-')),
            FakeNamespace.spec(POD_SLICE + ":cri-containerd:pause-abc", Map.of()))
        .container(
            "busybox-abc",
            "docker.io/library/busybox:1.36",
            Map.of(
                "io.cri-containerd.kind", "container",
                "io.kubernetes.pod.namespace", "kube-system",
                "io.kubernetes.pod.name", "busybox-7d9f",
                "io.kubernetes.container.name", "busybox"),
            FakeNamespace.spec(POD_SLICE + ":cri-containerd:busybox-abc", Map.of()))
        .task("pause-abc", 5001, RUNNING)
        .task("busybox-abc", 5002, RUNNING)
        .snapshot("overlayfs", "sha256:" + "d".repeat(64), "", COMMITTED, 4_096)
        .snapshot("overlayfs", "sha256:" + "e".repeat(64), "", COMMITTED, 1_048_576)
        .snapshot("overlayfs", "pause-abc", "sha256:" + "d".repeat(64), ACTIVE, 12_288)
        .snapshot("overlayfs", "busybox-abc", "sha256:" + "e".repeat(64), ACTIVE, 16_384);
  }

  /**
   * An empty cgroupfs: the exporter must not read this host's cgroups (no counters, no files:
   * nothing varies).
   */
  @TempDir Path cgroupfs;

  @Test
  void scrapeOfAFixedInventoryMatchesTheGoldenFile() throws Exception {
    // The sizes above are for a linux/amd64 host; on another the exporter (rightly) sizes another
    // manifest.
    String arch = System.getProperty("os.arch");
    assumeTrue(
        Set.of("amd64", "x86_64").contains(arch),
        "golden sizes assume a linux/amd64 host, this is " + arch);

    try (FakeContainerd containerd = new FakeContainerd()) {
      install(containerd, Instant.now());
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(), "--poll.interval=1h", "--path.cgroupfs=" + cgroupfs)) {
        exporter.awaitScrape(
            Duration.ofSeconds(10),
            "every collector to succeed, containerd_up 1 and the event stream up",
            InProcessExporter::settled);
        // Work that follows those signals (the event reconciler runs right after the stream is
        // marked up) must have
        // landed too: take a scrape only once two in a row agree.
        AtomicReference<String> previous = new AtomicReference<>("");
        MetricsText scrape =
            exporter.awaitScrape(
                Duration.ofSeconds(10),
                "two identical scrapes in a row",
                m -> deterministic(m.text()).equals(previous.getAndSet(deterministic(m.text()))));

        // The sizing numbers computed by hand above, asserted outright: -Dgolden.update must not be
        // able to
        // accept a sizing regression unnoticed.
        assertEquals(
            35197,
            InProcessExporter.value(
                scrape,
                "containerd_image_size_bytes",
                "containerd_namespace",
                "default",
                "image",
                "registry.example/app:1.0"),
            "image A for linux/amd64");
        assertEquals(
            5260,
            InProcessExporter.value(
                scrape,
                "containerd_image_size_bytes",
                "containerd_namespace",
                "k8s.io",
                "image",
                "docker.io/library/busybox:1.36"),
            "image B");
        assertEquals(
            40457,
            InProcessExporter.value(
                scrape, "containerd_images_size_bytes", "containerd_namespace", "default"),
            "A + B, shared blobs once");
        assertEquals(
            6448,
            InProcessExporter.value(
                scrape, "containerd_images_size_bytes", "containerd_namespace", "k8s.io"),
            "B + C");
        assertEquals(
            74376,
            InProcessExporter.value(
                scrape, "containerd_content_size_bytes", "containerd_namespace", "default"),
            "every blob of A and B");

        String golden = deterministic(scrape.text());
        GoldenFiles.assertMatches(GOLDEN, golden);
        assertPromtoolAccepts(golden);
      }
    }
  }

  /** Drops the families that differ between runs (and their HELP and TYPE lines). */
  static String deterministic(String exposition) {
    return exposition
        .lines()
        .filter(line -> !NON_DETERMINISTIC.matcher(familyOf(line)).matches())
        .map(line -> line + "\n")
        .collect(Collectors.joining());
  }

  private static String familyOf(String line) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      return line.split(" ", 4)[2];
    }
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
      end++;
    }
    return line.substring(0, end);
  }

  static void assertPromtoolAccepts(String exposition) {
    Promtool.Result result;
    try {
      result = Promtool.checkMetrics(exposition);
    } catch (IllegalStateException e) {
      fail(
          "cannot lint the golden exposition: "
              + e.getMessage()
              + " (promtool comes with Debian's prometheus package: apt-get install prometheus)");
      return;
    }
    assertEquals("", result.output(), "promtool check metrics complains about the exposition");
    assertEquals(0, result.exitCode(), "promtool check metrics exit code");
  }
}
