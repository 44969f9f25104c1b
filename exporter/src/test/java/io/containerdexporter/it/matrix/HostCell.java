package io.containerdexporter.it.matrix;

import io.containerdexporter.cri.CriClient;
import io.containerdexporter.it.ExporterProcess;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.testkit.ContainerdRelease;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A cell on this host: the testkit's sandbox running one release on the host's cgroup v1, the
 * exporter beside it.
 */
final class HostCell implements Cell {
  private final ContainerdRelease release;
  private final ContainerdSandbox sandbox;
  private final ExporterProcess exporter;
  private CriClient cri;

  private HostCell(ContainerdRelease release, ContainerdSandbox sandbox, ExporterProcess exporter) {
    this.release = release;
    this.sandbox = sandbox;
    this.exporter = exporter;
  }

  static HostCell start(ContainerdRelease release) {
    ContainerdSandbox sandbox = ContainerdSandbox.start(release.hostSandboxOptions().build());
    try {
      return new HostCell(
          release,
          sandbox,
          ExporterProcess.start(sandbox.socket(), "--poll.interval=1s", "--poll.timeout=1s"));
    } catch (RuntimeException e) {
      sandbox.close();
      throw e;
    }
  }

  @Override
  public String name() {
    return "containerd " + release.version() + " · cgroup v1 (host)";
  }

  @Override
  public ContainerdRelease release() {
    return release;
  }

  @Override
  public int cgroupVersion() {
    // This host is hybrid: the controllers are v1, cgroup2 at /sys/fs/cgroup/unified has none.
    return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers")) ? 2 : 1;
  }

  @Override
  public String serverVersion() {
    return sandbox.serverVersion();
  }

  @Override
  public int slowness() {
    return 1;
  }

  @Override
  public void prepareNamespace(String namespace) {
    if (!sandbox.namespaces().contains(namespace)) { // CRI creates k8s.io itself
      sandbox.createNamespace(namespace);
    }
    sandbox.importBusybox(namespace, Scenarios.BUSYBOX);
  }

  @Override
  public void run(String namespace, String id, RunOptions options, String... args) {
    sandbox.run(namespace, id, Scenarios.BUSYBOX, options, args);
  }

  @Override
  public int exec(String namespace, String id, String execId, String... args) {
    return sandbox.ctr(execArgs(namespace, id, execId, args)).exitCode();
  }

  private String[] execArgs(String namespace, String id, String execId, String... args) {
    String[] prefix = {"--namespace", namespace, "tasks", "exec", "--exec-id", execId, id};
    String[] all = new String[prefix.length + args.length];
    System.arraycopy(prefix, 0, all, 0, prefix.length);
    System.arraycopy(args, 0, all, prefix.length, args.length);
    return all;
  }

  @Override
  public String taskStatus(String namespace, String id) {
    return sandbox.taskStatus(namespace, id);
  }

  @Override
  public void kill(String namespace, String id, String signal) {
    sandbox.kill(namespace, id, signal);
  }

  @Override
  public String ctr(String... args) {
    return sandbox.ctr(args).orThrow().stdout();
  }

  @Override
  public Optional<String> readFile(String path) {
    try {
      return Files.exists(Path.of(path))
          ? Optional.of(Files.readString(Path.of(path)))
          : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void writeFile(String path, String content) {
    try {
      Files.writeString(Path.of(path), content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void killDaemon() {
    sandbox.killDaemon();
  }

  @Override
  public void startDaemon() {
    sandbox.restartDaemon();
  }

  @Override
  public MetricsText scrape() {
    return exporter.scrape();
  }

  @Override
  public String exporterLog() {
    return exporter.log();
  }

  @Override
  public synchronized CriClient cri() {
    if (cri == null) {
      cri = CriClient.connect(sandbox);
    }
    return cri;
  }

  @Override
  public void close() {
    try {
      if (cri != null) {
        cri.close();
      }
      exporter.close();
    } finally {
      sandbox.close();
    }
  }
}
