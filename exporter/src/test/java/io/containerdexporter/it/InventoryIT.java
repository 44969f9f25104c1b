package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.Registry;
import io.containerdexporter.testkit.RunOptions;
import io.containerdexporter.testkit.StallingBlobProxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The inventory families against a real containerd: every value equals what ctr (or, where ctr
 * rounds, the daemon's own files) says at the same moment, in every namespace, including a pull
 * held in flight by a stalling registry.
 */
@ExtendWith(ContainerdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class InventoryIT {

  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  private static final Duration STALL_AFTER = Duration.ofSeconds(3);
  private static final int MiB = 1 << 20;

  private final ContainerdSandbox containerd;
  private final CtrInventory ctr;
  private ExporterProcess exporter;

  InventoryIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
    this.ctr = new CtrInventory(containerd);
  }

  @BeforeAll
  void workloads() {
    containerd.createNamespace("inv-a");
    containerd.importBusybox("inv-a", BUSYBOX);
    containerd
        .ctr("-n", "inv-a", "images", "tag", BUSYBOX, "docker.io/library/busybox:copy")
        .orThrow();
    containerd.createNamespace("inv-b");
    containerd.importBusybox("inv-b", BUSYBOX);
    containerd.createNamespace("inv-empty");

    containerd.run("inv-a", "running", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
    containerd.run("inv-a", "paused", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
    containerd.ctr("-n", "inv-a", "tasks", "pause", "paused").orThrow();
    containerd.run("inv-a", "stopped", BUSYBOX, RunOptions.DEFAULTS, "sh", "-c", "exit 3");
    containerd.awaitTaskStatus("inv-a", "stopped", "STOPPED", Duration.ofSeconds(10));
    containerd.ctr("-n", "inv-a", "containers", "create", BUSYBOX, "no-task").orThrow();

    exporter =
        ExporterProcess.start(
            containerd.socket(),
            "--poll.interval=1s",
            "--poll.timeout=1s",
            "--collector.image-info",
            "--content.stall-after=" + STALL_AFTER.toSeconds() + "s");
  }

  @AfterAll
  void stopExporter() {
    if (exporter != null) {
      exporter.close();
    }
  }

  /** Waits until the exporter and ctr agree on every inventory series; on timeout shows both. */
  private void assertAgreesWithCtr(String when) {
    Await.until(
        Duration.ofSeconds(10),
        "the exporter to agree with ctr " + when,
        () -> {
          Map<String, Double> expected = ctr.expected(STALL_AFTER);
          Map<String, Double> actual = CtrInventory.actual(exporter.scrape(), expected);
          return new Comparison(expected, actual);
        },
        Comparison::agree);
  }

  private record Comparison(Map<String, Double> expected, Map<String, Double> actual) {
    boolean agree() {
      return expected.equals(actual);
    }

    @Override
    public String toString() {
      Set<String> keys = new TreeSet<>(expected.keySet());
      keys.addAll(actual.keySet());
      return keys.stream()
          .filter(k -> !java.util.Objects.equals(expected.get(k), actual.get(k)))
          .map(k -> k + " ctr=" + expected.get(k) + " exporter=" + actual.get(k))
          .collect(Collectors.joining("\n  ", "differences:\n  ", ""));
    }
  }

  @Test
  @Order(1)
  void everyNamespaceAndValueMatchesCtr() {
    assertAgreesWithCtr("at rest");
    MetricsText m = exporter.scrape();
    // The fixture is what we think it is (so agreement above is not agreement on nothing).
    assertEquals(
        Optional.of(4.0), m.value("containerd_containers", "containerd_namespace", "inv-a"));
    assertEquals(
        Optional.of(1.0),
        m.value("containerd_tasks", "containerd_namespace", "inv-a", "status", "paused"));
    assertEquals(
        Optional.of(1.0),
        m.value("containerd_tasks", "containerd_namespace", "inv-a", "status", "stopped"));
    assertEquals(Optional.of(2.0), m.value("containerd_images", "containerd_namespace", "inv-a"));
    assertEquals(
        m.value("containerd_images_size_bytes", "containerd_namespace", "inv-b"),
        m.value("containerd_images_size_bytes", "containerd_namespace", "inv-a"),
        "two tags of one image count its blobs once");
    assertEquals(
        Optional.of(0.0), m.value("containerd_containers", "containerd_namespace", "inv-empty"));
    assertEquals(
        6,
        m.samples("containerd_tasks").stream()
            .filter(s -> s.labels().get("containerd_namespace").equals("inv-empty"))
            .count(),
        "all statuses, even when empty");
  }

  @Test
  @Order(2)
  void aPullHeldInFlightShowsAsAnIngestThenAsStalled() throws Exception {
    try (Registry registry = Registry.start()) {
      Registry.PushedImage image = registry.pushRandomImage("it/big:1", 4 * MiB);
      try (StallingBlobProxy proxy = StallingBlobProxy.start(registry, MiB)) {
        proxy.stallBlob(image.layerDigest());
        Process pull =
            new ProcessBuilder(
                    "ctr",
                    "--address",
                    containerd.socket().toString(),
                    "--namespace",
                    "inv-b",
                    "images",
                    "pull",
                    "--plain-http",
                    proxy.address() + "/it/big:1")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
          proxy.awaitStalled(Duration.ofSeconds(20));
          Await.until(
              Duration.ofSeconds(10),
              "one ingest of 1 MiB in inv-b",
              exporter::scrape,
              m ->
                  m.value("containerd_content_ingests", "containerd_namespace", "inv-b")
                          .equals(Optional.of(1.0))
                      && m.value("containerd_content_ingest_bytes", "containerd_namespace", "inv-b")
                          .equals(Optional.of((double) MiB)));
          assertAgreesWithCtr("while a pull is in flight");

          Await.until(
              Duration.ofSeconds(10),
              "the held ingest to count as stalled",
              exporter::scrape,
              m ->
                  m.value("containerd_content_ingests_stalled", "containerd_namespace", "inv-b")
                      .equals(Optional.of(1.0)));
          assertAgreesWithCtr("while a pull is stalled");
        } finally {
          proxy.release();
          assertTrue(pull.waitFor(30, TimeUnit.SECONDS), "pull finishes once released");
        }
        assertEquals(0, pull.exitValue());
      }
    }
    Await.until(
        Duration.ofSeconds(10),
        "the ingest to be gone",
        exporter::scrape,
        m ->
            m.value("containerd_content_ingests", "containerd_namespace", "inv-b")
                .equals(Optional.of(0.0)));
    assertAgreesWithCtr("after the pull");
    assertEquals(
        Optional.of(2.0),
        exporter.scrape().value("containerd_images", "containerd_namespace", "inv-b"));
  }

  @Test
  @Order(3)
  void snapshotsMatchCtrExactlyInCountAndWithinCtrsRoundingInSize() {
    List<String> snapshotters =
        exporter.scrape().samples("containerd_snapshots").stream()
            .map(s -> s.labels().get("snapshotter"))
            .distinct()
            .sorted()
            .toList();
    assertTrue(
        snapshotters.contains("overlayfs") && snapshotters.contains("native"),
        snapshotters.toString());
    Await.until(
        Duration.ofSeconds(10),
        "snapshot counts to agree with ctr",
        () -> {
          Map<String, Double> expected = ctr.expectedSnapshots(snapshotters);
          return new Comparison(expected, CtrInventory.actual(exporter.scrape(), expected));
        },
        Comparison::agree);

    MetricsText m = exporter.scrape();
    for (String ns : ctr.namespaces()) {
      for (String snapshotter : snapshotters) {
        double[] bounds = ctr.snapshotUsageBounds(ns, snapshotter);
        double bytes =
            m.value(
                    "containerd_snapshots_size_bytes",
                    "containerd_namespace",
                    ns,
                    "snapshotter",
                    snapshotter)
                .orElseThrow();
        assertTrue(
            bytes >= bounds[0] && bytes <= bounds[1],
            ns
                + "/"
                + snapshotter
                + ": "
                + bytes
                + " not within ctr's "
                + bounds[0]
                + ".."
                + bounds[1]);
      }
    }
    assertTrue(
        m.value(
                    "containerd_snapshots_size_bytes",
                    "containerd_namespace",
                    "inv-a",
                    "snapshotter",
                    "overlayfs")
                .orElseThrow()
            > 1_000_000,
        "busybox's committed layer is ~2 MB");
  }
}
