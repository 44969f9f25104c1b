package io.containerdexporter.it.matrix;

import io.containerdexporter.cri.CriClient;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.testkit.ContainerdRelease;
import io.containerdexporter.testkit.RunOptions;
import java.time.Duration;
import java.util.Optional;

/**
 * One cell of the compatibility matrix: a real containerd of one release on a kernel of one cgroup
 * version, with the real exporter jar watching it. The scenarios drive it only through this
 * interface, so the same scenario runs on the host (cgroup v1) and in a QEMU guest (cgroup v2), and
 * the "truth" it compares against is always the daemon's own ({@code ctr}) and the kernel's own
 * (the cgroup files) view of the same machine.
 */
interface Cell extends AutoCloseable {

  /** e.g. "containerd 2.1 · cgroup v2 (guest)": the row of docs/compatibility.md. */
  String name();

  ContainerdRelease release();

  /** 1 on this host (hybrid: v1 controllers), 2 in the guest. */
  int cgroupVersion();

  /** containerd's version as {@code ctr version} reports it. */
  String serverVersion();

  /** How much slower than the host this cell answers (TCG emulation: ~10×); scales every wait. */
  int slowness();

  default Duration patience(Duration onTheHost) {
    return onTheHost.multipliedBy(slowness());
  }

  /** Creates the namespace and imports the busybox image as {@link Scenarios#BUSYBOX}. */
  void prepareNamespace(String namespace);

  void run(String namespace, String id, RunOptions options, String... args);

  /** Runs a process in a running task; returns its exit code. */
  int exec(String namespace, String id, String execId, String... args);

  /** RUNNING, STOPPED, … as {@code ctr tasks ls} prints it, or NOT_FOUND. */
  String taskStatus(String namespace, String id);

  void kill(String namespace, String id, String signal);

  /** ctr's stdout; throws unless it exits 0. */
  String ctr(String... args);

  /** A file of the cell's kernel (cgroupfs, procfs), or empty if it does not exist. */
  Optional<String> readFile(String path);

  void writeFile(String path, String content);

  /** SIGKILL containerd; shims and tasks stay. */
  void killDaemon();

  /** Starts containerd again with the same config. */
  void startDaemon();

  /** GET /metrics of the exporter watching this cell. */
  MetricsText scrape();

  String exporterLog();

  /** A CRI client playing kubelet against the cell's containerd (one per cell, closed with it). */
  CriClient cri();

  @Override
  void close();
}
