package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A real docker-registry and a real containerd: push and pull, then a pull frozen half-way by the
 * {@link StallingBlobProxy} so that the daemon shows one in-flight ingest, then proof that nothing
 * is left running.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RegistryIT {
  private static final int PAYLOAD_BYTES = 8 << 20;

  /**
   * 1 MiB, because containerd 1.6's content.Copy hands data to the ingest in full 1 MiB buffers
   * (io.ReadAtLeast on a 1 << 20 buffer): a stall anywhere else leaves the ingest's offset at the
   * last whole MiB.
   */
  private static final long STALL_AT = 1 << 20;

  private static final Duration WAIT = Duration.ofSeconds(15);

  private ContainerdSandbox sandbox;
  private Registry registry;
  private Path registryDir;
  private long registryPid;
  private Process pull;

  @BeforeAll
  void start() {
    sandbox = ContainerdSandbox.start();
    registry = Registry.start();
    registryDir = registry.tempDir();
    registryPid = registry.pid();
  }

  @AfterAll
  void closeEvenIfAStepFailed() {
    if (pull != null) {
      pull.destroyForcibly();
    }
    if (registry != null) {
      registry.close();
    }
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  @Order(1)
  void pushesThroughCtrAndPullsBackIntoAnotherNamespace() {
    sandbox.importBusybox("rt-src", ContainerdSandbox.BUSYBOX_IMAGE);

    String ref =
        registry.push(sandbox, "rt-src", ContainerdSandbox.BUSYBOX_IMAGE, "library/busybox:1");

    assertEquals(registry.address() + "/library/busybox:1", ref);
    assertEquals(List.of("1"), registry.tags("library/busybox"));
    sandbox.ctr("--namespace", "rt-dst", "images", "pull", "--plain-http", ref).orThrow();
    assertTrue(
        Ctr.lines(sandbox.ctr("--namespace", "rt-dst", "images", "list", "--quiet").orThrow())
            .contains(ref));
  }

  @Test
  @Order(2)
  void aStalledPullShowsExactlyOneIngestUntilReleased() throws Exception {
    Registry.PushedImage image = registry.pushRandomImage("testkit/random:1", PAYLOAD_BYTES);
    assertEquals(PAYLOAD_BYTES + 1536, image.layerSize(), "payload plus tar header and end blocks");
    String layerRef =
        "layer-" + image.layerDigest(); // how containerd's fetcher names a layer's ingest

    try (StallingBlobProxy proxy = StallingBlobProxy.start(registry, STALL_AT)) {
      proxy.stallBlob(image.layerDigest());
      String ref = proxy.address() + "/testkit/random:1";
      Path pullLog = Files.createTempFile("registry-it-pull-", ".log");
      try {
        pull =
            new ProcessBuilder(
                    "ctr",
                    "--address",
                    sandbox.socket().toString(),
                    "--namespace",
                    "stall",
                    "images",
                    "pull",
                    "--plain-http",
                    ref)
                .redirectErrorStream(true)
                .redirectOutput(pullLog.toFile())
                .start();

        StallingBlobProxy.Stall stall = proxy.awaitStalled(WAIT);
        assertEquals(
            new StallingBlobProxy.Stall(image.layerDigest(), "", 200, image.layerSize(), STALL_AT),
            stall);

        // The proxy has sent its bytes; ctr forwards them to the daemon in its own time.
        Ingest ingest = awaitSingleIngest(STALL_AT);
        assertEquals(image.layerSize(), ingest.total(), "the daemon knows the expected size");
        assertTrue(ingest.ref().endsWith("/" + layerRef), ingest.ref());
        // ctr prints the offset with go-units' decimal HumanSize: 1048576 -> "1.049MB".
        assertEquals(
            List.of(List.of(layerRef, "1.049MB")),
            activeTransfers("stall"),
            "ctr content active: REF and SIZE (the offset; there is no total column)");
        Thread.sleep(300);
        assertTrue(pull.isAlive(), "ctr waits on a stalled body instead of timing out");
        assertEquals(
            STALL_AT, proxy.bytesServed(image.layerDigest()), "nothing leaked past the stall");

        // Cut the body off: containerd's reader reconnects with a Range request from where it was,
        // within
        // the same pull and the same ingest, and (the proxy still armed) stalls again one MiB
        // further on.
        proxy.abortStalled();
        StallingBlobProxy.Stall resumed = proxy.awaitStalls(2, WAIT).get(1);
        assertEquals(
            new StallingBlobProxy.Stall(
                image.layerDigest(),
                "bytes=" + STALL_AT + "-",
                206,
                image.layerSize() - STALL_AT,
                STALL_AT),
            resumed);
        assertEquals(2 * STALL_AT, awaitSingleIngest(2 * STALL_AT).offset());
        assertEquals(List.of(List.of(layerRef, "2.097MB")), activeTransfers("stall"));

        proxy.release();

        assertTrue(pull.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "pull finishes after release");
        assertEquals(0, pull.exitValue(), () -> "ctr pull failed:\n" + read(pullLog));
        assertEquals(
            image.layerSize(), proxy.bytesServed(image.layerDigest()), "no byte sent twice");
        assertEquals(List.of(), activeTransfers("stall"));
        assertEquals(List.of(), ingests(), "ingest committed");
        assertTrue(
            Ctr.lines(sandbox.ctr("--namespace", "stall", "images", "list", "--quiet").orThrow())
                .contains(ref));
      } finally {
        Files.deleteIfExists(pullLog);
      }
    }
  }

  @Test
  @Order(3)
  void closingLeavesNoProcessAndNoTempDir() throws InterruptedException {
    Path sandboxDir = sandbox.tempDir();

    registry.close();
    sandbox.close();

    assertFalse(ProcFs.isRunning(registryPid), "docker-registry " + registryPid + " stopped");
    assertFalse(Files.exists(registryDir), registryDir + " deleted");
    assertFalse(Files.exists(sandboxDir), sandboxDir + " deleted");
    assertTrue(pull == null || !pull.isAlive(), "background ctr pull ended");
    for (Path marker : List.of(registryDir, sandboxDir)) {
      assertEquals(
          List.of(),
          ProcFs.processesMentioning(marker.toString()),
          "processes mentioning " + marker);
    }
  }

  // ---------------------------------------------------------------- containerd's view of the
  // ingest

  /**
   * One ingest as the daemon's local content store keeps it, which is exactly what {@code
   * Content.ListStatuses} reports: offset = size of {@code data}, total = the {@code total} file,
   * ref = "namespace/n/ref".
   */
  private record Ingest(String ref, long offset, long total) {}

  private Ingest awaitSingleIngest(long offset) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    List<Ingest> ingests = ingests();
    while (ingests.size() != 1 || ingests.get(0).offset() != offset) {
      if (System.nanoTime() > deadline) {
        fail("expected one ingest at offset " + offset + " but have " + ingests);
      }
      Thread.sleep(20);
      ingests = ingests();
    }
    return ingests.get(0);
  }

  private List<Ingest> ingests() throws IOException {
    Path ingestDir = sandbox.tempDir().resolve("root/io.containerd.content.v1.content/ingest");
    if (!Files.isDirectory(ingestDir)) {
      return List.of();
    }
    List<Ingest> ingests = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(ingestDir)) {
      for (Path dir : dirs.toList()) {
        Path total = dir.resolve("total");
        try {
          ingests.add(
              new Ingest(
                  Files.readString(dir.resolve("ref")).strip(),
                  Files.size(dir.resolve("data")),
                  Files.exists(total) ? Long.parseLong(Files.readString(total).strip()) : -1));
        } catch (NoSuchFileException e) {
          // Being created or just committed: the next poll sees it settled.
        }
      }
    }
    return ingests;
  }

  /** The REF and SIZE columns of {@code ctr content active} (AGE, "2 seconds", is left out). */
  private List<List<String>> activeTransfers(String namespace) {
    List<String> lines =
        sandbox
            .ctr("--namespace", namespace, "content", "active")
            .orThrow()
            .stdout()
            .lines()
            .filter(line -> !line.isBlank())
            .toList();
    assertTrue(lines.get(0).startsWith("REF"), "header: " + lines.get(0));
    return lines.stream()
        .skip(1)
        .map(line -> List.of(line.strip().split("\\s+")).subList(0, 2))
        .toList();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "<unreadable: " + e + ">";
    }
  }
}
