package io.containerdexporter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A containerd of one {@link ContainerdRelease} inside a guest, driven through its {@code ctr} via
 * the {@link GuestAgent}. The config is the sandbox's own ({@link ContainerdConfig}), rooted at
 * {@value #ROOT}.
 */
public final class GuestContainerd {
  static final String ROOT = "/var/lib/sbx";

  /** containerd's own /v1/metrics inside the guest. */
  public static final String METRICS_ADDRESS = "127.0.0.1:1338";

  /**
   * containerd's insecure gRPC TCP listener inside the guest, CRI included: a test on the host
   * plays kubelet through a forward to it (the unix socket cannot leave the guest).
   */
  public static final int CRI_PORT = 10010;

  private final GuestAgent agent;
  private final ContainerdRelease release;
  private final SandboxLayout layout = new SandboxLayout(Path.of(ROOT));
  private final Path share;
  private final Duration timeout;

  public GuestContainerd(
      GuestAgent agent, Path share, ContainerdRelease release, Duration timeout) {
    this.agent = agent;
    this.share = share;
    this.release = release;
    this.timeout = timeout;
  }

  public String socket() {
    return layout.grpcSocket().toString();
  }

  /** Writes the config and starts the daemon (again); returns once {@code ctr version} answers. */
  public void start() {
    try {
      Files.writeString(
          share.resolve("config.toml"),
          ContainerdConfig.render(
              layout, METRICS_ADDRESS, release.configVersion(), "", "0.0.0.0:" + CRI_PORT));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String bin = release.guestBinDir();
    agent
        .sh(
            String.join(
                "\n",
                "set -e",
                "mkdir -p "
                    + String.join(
                        " ",
                        List.of(
                            layout.root().toString(),
                            layout.state().toString(),
                            layout.cniConfDir().toString(),
                            layout.runcRoot().toString(),
                            layout.fifoDir().toString(),
                            layout.taskLogs().toString())),
                "rm -f " + socket(),
                // The release's own shim first on PATH, as on the host.
                "PATH="
                    + bin
                    + ":$PATH setsid "
                    + bin
                    + "/containerd --config /share/config.toml"
                    + " >> /share/containerd.log 2>&1 < /dev/null &",
                "echo $! > /run/containerd.pid",
                "i=0; until " + ctrLine(List.of("version")) + " > /dev/null 2>&1; do",
                "  i=$((i+1)); [ $i -lt 600 ] || { echo 'containerd did not answer'; tail -20 /share/containerd.log; exit 1; }",
                "  sleep 0.2",
                "done"),
            timeout.multipliedBy(4))
        .orThrow();
  }

  /** SIGKILL: shims and tasks live on, as on the host. */
  public void kill() {
    agent
        .sh(
            "kill -9 $(cat /run/containerd.pid); while kill -0 $(cat /run/containerd.pid) 2>/dev/null; do sleep 0.1; done",
            timeout)
        .orThrow();
  }

  /** {@code ctr --address SOCKET args...}; does not throw on a non-zero exit. */
  public CtrResult ctr(String... args) {
    return agent.sh(ctrLine(List.of(args)), timeout);
  }

  private String ctrLine(List<String> args) {
    List<String> line =
        new ArrayList<>(List.of(release.guestBinDir() + "/ctr", "--address", socket()));
    line.addAll(args);
    return GuestAgent.quoteAll(line);
  }

  /** Imports the sandbox's busybox image (built on the host, handed in through the share). */
  public void importBusybox(String namespace, String ref) {
    importImage(namespace, ref, List.of("/bin/sh"));
  }

  /**
   * Imports the pause image every CRI RunPodSandbox needs ({@link ContainerdSandbox#PAUSE_IMAGE}).
   */
  public void importPause(String namespace) {
    importImage(namespace, ContainerdSandbox.PAUSE_IMAGE, ContainerdSandbox.PAUSE_CMD);
  }

  private void importImage(String namespace, String ref, List<String> cmd) {
    Path dir = share.resolve("images").resolve(Integer.toHexString(ref.hashCode()));
    if (!Files.exists(dir.resolve("image.tar"))) {
      BusyboxImage.archive(dir, ref, cmd);
    }
    ctr(
            "--namespace",
            namespace,
            "images",
            "import",
            "/share/" + share.relativize(dir.resolve("image.tar")))
        .orThrow();
  }

  /**
   * {@code ctr run -d} like {@link ContainerdSandbox#run}, with runc state, FIFOs and logs under
   * the root.
   */
  public void run(String namespace, String id, RunOptions options, String image, String... args) {
    String log = layout.taskLogs().resolve(namespace + "-" + id + ".log").toString();
    List<String> command =
        new ArrayList<>(
            List.of(
                "--namespace",
                namespace,
                "run",
                "--detach",
                "--runc-root",
                layout.runcRoot().toString(),
                "--fifo-dir",
                layout.fifoDir().toString(),
                "--log-uri",
                "file://" + log));
    command.addAll(RunFlags.of(options));
    command.add(image);
    command.add(id);
    command.addAll(List.of(args));
    ctr(command.toArray(String[]::new)).orThrow();
  }

  public CtrResult exec(String namespace, String id, String execId, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "--namespace",
                namespace,
                "tasks",
                "exec",
                "--exec-id",
                execId,
                "--fifo-dir",
                layout.fifoDir().toString(),
                id));
    command.addAll(List.of(args));
    return ctr(command.toArray(String[]::new));
  }

  public List<TaskInfo> tasks(String namespace) {
    return TaskInfo.parseList(ctr("--namespace", namespace, "tasks", "list").orThrow().stdout());
  }
}
