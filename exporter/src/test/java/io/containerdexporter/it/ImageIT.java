package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.chart.RepositoryFiles;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The repository's Dockerfile, built by podman from local stand-ins of its base images (no public
 * registry is reachable here; scripts/image-stand-ins debootstraps them once, cached under
 * /var/cache/containerd-exporter), saved as an OCI archive, imported into the real test containerd
 * and run there as a task the way the chart runs it: the image's own user and entrypoint, a
 * read-only root filesystem with a tmpfs /tmp, every capability dropped, and containerd's socket,
 * /sys and /proc bind-mounted read-only. It watches the very containerd it runs in: {@code
 * containerd_up 1}, a test task's series, and its own container's.
 *
 * <p>The socket gets the image user's group (what containerd's {@code [grpc] gid} does on a node),
 * so the non-root default is what is proven. Prints the image size and the exporter's RSS
 * (docs/image.md). Skips only where podman cannot run.
 */
@ExtendWith(ContainerdExtension.class)
class ImageIT {
  private static final String IMAGE = "localhost/containerd-exporter:image-it";
  private static final String BUILD_BASE = "localhost/stand-in/maven:bookworm-jdk17";
  private static final String RUNTIME_BASE = "localhost/stand-in/debian:bookworm-slim";
  private static final int IMAGE_GID = 65532;
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * containerd's default capability set, each dropped: ctr 1.6 knows no {@code ALL} (the chart's
   * {@code drop: [ALL]} is the kubelet's to expand).
   */
  private static final String[] DROP_EVERY_DEFAULT_CAPABILITY =
      Stream.of(
              "CHOWN",
              "DAC_OVERRIDE",
              "FSETID",
              "FOWNER",
              "MKNOD",
              "NET_RAW",
              "SETGID",
              "SETUID",
              "SETFCAP",
              "SETPCAP",
              "NET_BIND_SERVICE",
              "SYS_CHROOT",
              "KILL",
              "AUDIT_WRITE")
          .flatMap(cap -> Stream.of("--cap-drop", "CAP_" + cap))
          .toArray(String[]::new);

  private final ContainerdSandbox containerd;

  ImageIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  /** The image as an OCI archive, with {@code podman image inspect}'s answer for it. */
  private record BuiltImage(Path archive, JsonNode inspect, String how) {}

  @Test
  void theImageRunsInContainerdAndWatchesIt() throws Exception {
    String unavailable = Podman.whyUnavailable();
    Assumptions.assumeTrue(
        unavailable == null, "ImageIT skipped: podman cannot run here: " + unavailable);
    long started = System.nanoTime();
    BuiltImage image = buildOrReuse(RepositoryFiles.root());
    JsonNode config = image.inspect().get("Config");
    assertEquals("65532:65532", config.path("User").asText(), "non-root by default");
    assertTrue(config.path("ExposedPorts").has("9338/tcp"), config.toString());
    assertEquals(
        "containerd-exporter",
        config.path("Labels").path("org.opencontainers.image.title").asText(),
        config.toString());
    List<String> entrypoint = new ArrayList<>();
    config.path("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    runAndScrape(image, entrypoint, started);
  }

  private static BuiltImage buildOrReuse(Path root) throws Exception {
    Path standIns = standIns(root);
    String key = ImageCache.key(root, standIns);
    Path cached = ImageCache.find(key);
    if (cached != null) {
      return new BuiltImage(
          cached.resolve("image.tar"),
          JSON.readTree(Files.readString(cached.resolve("inspect.json"))),
          "unchanged sources: the image cached under " + cached);
    }
    long started = System.nanoTime();
    try (Podman podman = Podman.inTempDir(Path.of("/var/tmp"))) {
      podman.run(
          Duration.ofMinutes(5), "import", standIns.resolve("build.tar").toString(), BUILD_BASE);
      podman.run(
          Duration.ofMinutes(5),
          "import",
          standIns.resolve("runtime.tar").toString(),
          RUNTIME_BASE);
      podman.run(
          BUILD_TIMEOUT,
          "build",
          // vfs copies the whole rootfs for every layer it commits: commit only the image.
          "--layers=false",
          "--pull=never",
          "--network",
          "host",
          "--build-arg",
          "BUILD_IMAGE=" + BUILD_BASE,
          "--build-arg",
          "RUNTIME_IMAGE=" + RUNTIME_BASE,
          "--build-arg",
          "MAVEN_ARGS=-o",
          // The machine's Maven repository, read-only: the build stage resolves offline in
          // seconds instead of downloading every dependency.
          "--volume",
          Path.of(System.getProperty("user.home"), ".m2").toRealPath() + ":/root/.m2:ro",
          "-t",
          IMAGE,
          "-f",
          root.resolve("Dockerfile").toString(),
          root.toString());
      String inspect = podman.run(Duration.ofMinutes(1), "image", "inspect", IMAGE);
      Path archive = podman.dir().resolve("image.tar");
      podman.run(
          Duration.ofMinutes(5),
          "save",
          "--format",
          "oci-archive",
          "-o",
          archive.toString(),
          IMAGE);
      ImageCache.keep(key, archive, JSON.readTree(inspect).get(0).toString());
      Path kept = ImageCache.find(key);
      return new BuiltImage(
          kept.resolve("image.tar"),
          JSON.readTree(inspect).get(0),
          "built in " + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) + " s");
    }
  }

  private void runAndScrape(BuiltImage image, List<String> entrypoint, long started)
      throws Exception {
    Path archive = image.archive();
    containerd.createNamespace("exporter");
    assertTrue(containerd.ctr("-n", "exporter", "images", "import", archive.toString()).ok());
    containerd.importBusybox("workload", ContainerdSandbox.BUSYBOX_IMAGE);
    containerd.run(
        "workload",
        "sleeper",
        ContainerdSandbox.BUSYBOX_IMAGE,
        RunOptions.DEFAULTS,
        "/bin/sleep",
        "100000");

    // containerd's [grpc] gid on a node: the socket's group lets the image's non-root user in.
    Path socket = containerd.socket();
    GroupPrincipal group =
        socket
            .getFileSystem()
            .getUserPrincipalLookupService()
            .lookupPrincipalByGroupName(Integer.toString(IMAGE_GID));
    Files.getFileAttributeView(socket, PosixFileAttributeView.class).setGroup(group);
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));

    int port = ExporterProcess.freePort();
    List<String> args = new ArrayList<>(entrypoint);
    args.addAll(
        List.of(
            "--containerd.address=/run/containerd/containerd.sock",
            "--web.listen-address=127.0.0.1:" + port,
            "--path.cgroupfs=/host/sys/fs/cgroup",
            "--path.sysfs=/host/sys",
            "--path.procfs=/host/proc",
            "--poll.interval=1s",
            "--poll.timeout=1s"));
    RunOptions asTheChartRunsIt =
        RunOptions.builder()
            .ctrFlags(DROP_EVERY_DEFAULT_CAPABILITY)
            .ctrFlags(
                "--net-host",
                "--read-only",
                "--mount",
                "type=bind,src=" + socket + ",dst=/run/containerd/containerd.sock,options=rbind:ro",
                "--mount",
                "type=bind,src=/sys,dst=/host/sys,options=rbind:ro",
                "--mount",
                "type=bind,src=/proc,dst=/host/proc,options=rbind:ro",
                "--mount",
                "type=tmpfs,src=tmpfs,dst=/tmp,options=nosuid:nodev:mode=1777:size=64m")
            .build();
    // ctr replaces the image's process args: the image's own entrypoint goes first, unchanged.
    containerd.run(
        "exporter", "exporter-under-test", IMAGE, asTheChartRunsIt, args.toArray(String[]::new));

    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    MetricsText metrics;
    try {
      metrics =
          Await.until(
              Duration.ofSeconds(120),
              "the image's exporter to serve containerd_up 1 and the workload's and its own series",
              () -> scrape(http, port),
              m ->
                  m.value("containerd_up").orElse(0.0) == 1.0
                      && m.value(
                              "container_cpu_usage_seconds_total",
                              "containerd_namespace",
                              "workload",
                              "name",
                              "sleeper")
                          .isPresent()
                      && m.value(
                              "container_memory_working_set_bytes",
                              "containerd_namespace",
                              "exporter",
                              "name",
                              "exporter-under-test")
                          .isPresent());
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage()
              + "\nexporter log:\n"
              + Files.readString(containerd.taskLog("exporter", "exporter-under-test")),
          e);
    }
    assertEquals(
        1.0,
        metrics
            .value("containerd_tasks", "containerd_namespace", "workload", "status", "running")
            .orElseThrow());
    String log = Files.readString(containerd.taskLog("exporter", "exporter-under-test"));
    // logfmt only: no JVM notice, no stack trace (a warning naming an exception is fine: as a
    // non-root user the network collector may not read /proc/PID/ns/net, see README).
    assertTrue(
        log.lines().allMatch(line -> line.startsWith("time=")), "logfmt lines only:\n" + log);

    long pid =
        containerd.tasks("exporter").stream()
            .filter(t -> t.id().equals("exporter-under-test"))
            .findFirst()
            .orElseThrow()
            .pid();
    long rssKib = statusField(pid, "VmRSS");
    assertEquals(0L, statusField(pid, "CapBnd"), "every capability dropped");
    assertEquals(0L, statusField(pid, "CapEff"), "no effective capability");
    double workingSet =
        metrics
            .value(
                "container_memory_working_set_bytes",
                "containerd_namespace",
                "exporter",
                "name",
                "exporter-under-test")
            .orElseThrow();
    System.out.printf(
        "[image] size %.1f MiB (OCI archive %.1f MiB); exporter VmRSS %d KiB, cgroup working set"
            + " %.1f MiB; image %s; total %d s%n",
        image.inspect().path("Size").asLong() / 1048576.0,
        Files.size(archive) / 1048576.0,
        rssKib,
        workingSet / 1048576.0,
        image.how(),
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started));
    containerd.kill("exporter", "exporter-under-test", "SIGKILL");
  }

  private static MetricsText scrape(HttpClient http, int port) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                  .timeout(Duration.ofSeconds(5))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return MetricsText.parse(response.body());
    } catch (IOException e) {
      return MetricsText.parse("");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** A field of /proc/PID/status: VmRSS in KiB, the Cap* masks (hex) as numbers. */
  private static long statusField(long pid, String field) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith(field + ":")) {
        String value = line.substring(field.length() + 1).trim().split("\\s+")[0];
        return field.startsWith("Cap") ? Long.parseLong(value, 16) : Long.parseLong(value);
      }
    }
    throw new IllegalStateException("no " + field + " for " + pid);
  }

  private static Path standIns(Path root) throws Exception {
    Process process =
        new ProcessBuilder(root.resolve("scripts/image-stand-ins").toString())
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    String dir = new String(process.getInputStream().readAllBytes()).trim();
    if (!process.waitFor(15, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new AssertionError("scripts/image-stand-ins failed (see stderr)");
    }
    return Path.of(dir);
  }
}
