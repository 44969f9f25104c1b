package io.containerdexporter.it.matrix;

import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.CriNode;
import io.containerdexporter.it.Await;
import io.containerdexporter.it.ExporterProcess;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.testkit.ContainerdRelease;
import io.containerdexporter.testkit.CtrResult;
import io.containerdexporter.testkit.GuestAgent;
import io.containerdexporter.testkit.GuestContainerd;
import io.containerdexporter.testkit.GuestImage;
import io.containerdexporter.testkit.GuestVm;
import io.containerdexporter.testkit.RunOptions;
import io.containerdexporter.testkit.TaskInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A cell in a QEMU guest with a real cgroup v2 kernel: containerd of one release and the exporter
 * jar both run inside (the exporter reads the guest's cgroupfs, as on a node), the test scrapes it
 * through a port forwarded to 127.0.0.1 and reads the guest's own view (cgroup files, ctr) through
 * the {@link GuestAgent}.
 */
final class GuestCell implements Cell {
  static final int EXPORTER_PORT = 9100;

  /**
   * Calls to containerd in the emulated guest take seconds (a 5 s deadline was seen to be
   * exceeded).
   */
  private static final Duration GUEST_CALL = Duration.ofSeconds(60);

  private final ContainerdRelease release;
  private final Path share;
  private final GuestVm vm;
  private final GuestAgent agent;
  private final GuestContainerd containerd;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String serverVersion = "";
  private CriClient cri;

  private GuestCell(ContainerdRelease release, Path share, GuestVm vm, GuestAgent agent) {
    this.release = release;
    this.share = share;
    this.vm = vm;
    this.agent = agent;
    this.containerd = new GuestContainerd(agent, share, release, GUEST_CALL);
  }

  static GuestCell boot(ContainerdRelease release) {
    // The exporter module's directory is the working directory of failsafe's JVM; the scripts are
    // one level up.
    GuestImage image = GuestImage.ensure(Path.of("").toAbsolutePath().getParent());
    Path share;
    try {
      share = Files.createTempDirectory("guest-cell-");
      Files.copy(
          ExporterProcess.jar(),
          share.resolve("exporter.jar"),
          StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    GuestAgent.install(share);
    GuestVm vm = GuestVm.boot(image, share, List.of(EXPORTER_PORT, GuestContainerd.CRI_PORT));
    try {
      GuestCell cell =
          new GuestCell(release, share, vm, GuestAgent.await(vm, Duration.ofMinutes(5)));
      cell.startDaemon();
      cell.startExporter();
      return cell;
    } catch (RuntimeException | Error e) {
      vm.close();
      deleteTree(share);
      throw e;
    }
  }

  private void startExporter() {
    agent
        .sh(
            "setsid java -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx96m -jar /share/exporter.jar"
                + " --containerd.address="
                + containerd.socket()
                + " --web.listen-address=:"
                + EXPORTER_PORT
                + " --containerd.timeout=30s --poll.interval=5s --poll.timeout=5s"
                + " > /share/exporter.log 2>&1 < /dev/null &",
            GUEST_CALL)
        .orThrow();
    // JVM start to /-/ready takes 35–40 s under TCG.
    Await.until(
        Duration.ofMinutes(4),
        "the exporter in the guest to be ready",
        () -> get("/-/ready").statusCode(),
        code -> code == 200);
  }

  @Override
  public String name() {
    return "containerd " + release.version() + " · cgroup v2 (guest)";
  }

  @Override
  public ContainerdRelease release() {
    return release;
  }

  @Override
  public int cgroupVersion() {
    return readFile("/sys/fs/cgroup/cgroup.controllers").isPresent() ? 2 : 1;
  }

  @Override
  public String serverVersion() {
    return serverVersion;
  }

  @Override
  public int slowness() {
    return 10;
  }

  @Override
  public void prepareNamespace(String namespace) {
    if (!ctr("namespaces", "list", "--quiet")
        .lines()
        .map(String::strip)
        .toList()
        .contains(namespace)) {
      containerd.ctr("namespaces", "create", namespace).orThrow();
    }
    containerd.importBusybox(namespace, Scenarios.BUSYBOX);
  }

  @Override
  public void run(String namespace, String id, RunOptions options, String... args) {
    containerd.run(namespace, id, options, Scenarios.BUSYBOX, args);
  }

  @Override
  public int exec(String namespace, String id, String execId, String... args) {
    return containerd.exec(namespace, id, execId, args).exitCode();
  }

  @Override
  public String taskStatus(String namespace, String id) {
    return containerd.tasks(namespace).stream()
        .filter(t -> t.id().equals(id))
        .map(TaskInfo::status)
        .findFirst()
        .orElse("NOT_FOUND");
  }

  @Override
  public void kill(String namespace, String id, String signal) {
    containerd.ctr("--namespace", namespace, "tasks", "kill", "--signal", signal, id).orThrow();
  }

  @Override
  public String ctr(String... args) {
    return containerd.ctr(args).orThrow().stdout();
  }

  @Override
  public Optional<String> readFile(String path) {
    String q = GuestAgent.quote(path);
    CtrResult read = agent.sh("[ -e " + q + " ] || exit 3; cat " + q, GUEST_CALL);
    if (read.exitCode() == 3) {
      return Optional.empty();
    }
    return Optional.of(read.orThrow().stdout());
  }

  @Override
  public void writeFile(String path, String content) {
    agent
        .sh("printf '%s' " + GuestAgent.quote(content) + " > " + GuestAgent.quote(path), GUEST_CALL)
        .orThrow();
  }

  @Override
  public void killDaemon() {
    containerd.kill();
  }

  @Override
  public void startDaemon() {
    containerd.start();
    String version = ctr("version");
    serverVersion =
        version
            .lines()
            .dropWhile(l -> !l.startsWith("Server"))
            .filter(l -> l.strip().startsWith("Version"))
            .map(l -> l.split(":", 2)[1].strip())
            .findFirst()
            .orElse("?");
  }

  private HttpResponse<String> get(String path) {
    try {
      return http.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + vm.hostPort(EXPORTER_PORT) + path))
              .timeout(Duration.ofSeconds(30))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public MetricsText scrape() {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new IllegalStateException("/metrics answered " + response.statusCode());
    }
    return MetricsText.parse(response.body());
  }

  @Override
  public String exporterLog() {
    try {
      return Files.readString(share.resolve("exporter.log"));
    } catch (IOException e) {
      return "(no exporter log: " + e.getMessage() + ")";
    }
  }

  /**
   * containerd's unix socket stays inside the guest, so the test plays kubelet through containerd's
   * own TCP listener (CRI included, {@link GuestContainerd#CRI_PORT}) forwarded to 127.0.0.1; the
   * exporter inside still uses the unix socket, as on a node.
   */
  @Override
  public synchronized CriClient cri() {
    if (cri == null) {
      // A hostNetwork pod gets copies of the node's /etc/hosts and /etc/resolv.conf, which the
      // minimal guest image has not: a node's own, with no name server (the pods need none).
      agent
          .sh(
              "[ -e /etc/hosts ] || printf '127.0.0.1 localhost\\n' > /etc/hosts;"
                  + " [ -e /etc/resolv.conf ] || : > /etc/resolv.conf",
              GUEST_CALL)
          .orThrow();
      cri = CriClient.connect(new GuestCriNode());
    }
    return cri;
  }

  private final class GuestCriNode implements CriNode {
    @Override
    public SocketAddress criAddress() {
      return new InetSocketAddress(
          InetAddress.getLoopbackAddress(), vm.hostPort(GuestContainerd.CRI_PORT));
    }

    @Override
    public Path scratchDir() {
      return Path.of("/tmp/cri"); // the guest's /tmp: a tmpfs of this boot
    }

    @Override
    public void createDirectories(Path dir) {
      agent.sh("mkdir -p " + GuestAgent.quote(dir.toString()), GUEST_CALL).orThrow();
    }

    @Override
    public void importPause(String namespace) {
      containerd.importPause(namespace);
    }

    @Override
    public Duration callTimeout() {
      return GUEST_CALL.multipliedBy(2); // RunPodSandbox starts a shim and the pause task
    }

    @Override
    public boolean cgroupParentsOutliveIt() {
      return false;
    }
  }

  @Override
  public void close() {
    try {
      if (cri != null) {
        cri.close();
      }
      agent.stop();
    } finally {
      vm.close();
      if (Boolean.getBoolean("guest.keep")) {
        System.err.println("[guest] kept " + share + " (console, containerd and exporter logs)");
      } else {
        deleteTree(share);
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("[guest] cannot delete " + dir + ": " + e.getMessage());
    }
  }
}
