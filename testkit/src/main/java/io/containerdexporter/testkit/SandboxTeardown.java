package io.containerdexporter.testkit;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Leaves nothing behind: first through containerd itself (so its metadata and shims wind down
 * normally), then by force on the host for whatever a dead daemon, a killed shim or a killed JVM
 * left. Never throws: whatever cannot be cleaned is collected and reported, because a teardown that
 * throws hides the test's own failure.
 */
final class SandboxTeardown {
  private static final Duration TASK_EXIT_WAIT = Duration.ofSeconds(5);
  private static final Duration PROCESS_EXIT_WAIT = Duration.ofSeconds(5);

  private final SandboxLayout layout;
  private final HostBaseline baseline;
  private final ContainerdDaemon daemon;
  private final Ctr ctr;
  private final boolean daemonMayHaveState;
  private final Set<String> namespaces = new LinkedHashSet<>();
  private final Set<ContainerRef> containers = new LinkedHashSet<>();
  private final List<String> problems = new ArrayList<>();

  /**
   * @param daemonMayHaveState false after a failed start: the daemon never answered, so there is
   *     nothing to clean through it and restarting it would only fail the same way again
   */
  SandboxTeardown(
      SandboxLayout layout,
      HostBaseline baseline,
      ContainerdDaemon daemon,
      Ctr ctr,
      boolean daemonMayHaveState,
      Set<String> knownNamespaces,
      Set<ContainerRef> knownContainers) {
    this.layout = layout;
    this.daemonMayHaveState = daemonMayHaveState;
    this.baseline = baseline;
    this.daemon = daemon;
    this.ctr = ctr;
    this.namespaces.addAll(knownNamespaces);
    this.containers.addAll(knownContainers);
  }

  /**
   * Runs every step, each isolated from the others' failures; returns what could not be cleaned.
   */
  List<String> run() {
    step("discover task state", this::discoverFromStateDir);
    step("clean through containerd", this::cleanThroughContainerd);
    step("stop containerd", daemon::stop);
    step("kill leftover sandbox processes", this::killProcessesMentioningSandbox);
    step("kill orphaned container processes", this::killProcessesInOurCgroups);
    step("unmount", this::unmountEverythingUnderTempDir);
    step("remove shim sockets", this::removeOurShimSockets);
    step("remove runc state", this::removeOurRuncState);
    step("remove cgroups", this::removeOurCgroups);
    step("remove /run/containerd dirs", this::removeRunContainerdDirsWeCreated);
    step("delete temp dir", this::deleteTempDir);
    return List.copyOf(problems);
  }

  private interface Step {
    void run() throws Exception;
  }

  private void step(String name, Step step) {
    try {
      step.run();
    } catch (Exception e) {
      problems.add(name + ": " + e.getMessage());
    }
  }

  /**
   * Task state dirs survive a dead daemon, so they name containers even when ctr cannot be asked.
   */
  private void discoverFromStateDir() throws IOException {
    Path tasks = layout.shimTaskState();
    for (String namespace : HostBaseline.entries(tasks)) {
      namespaces.add(namespace);
      for (String id : HostBaseline.entries(tasks.resolve(namespace))) {
        containers.add(new ContainerRef(namespace, id));
      }
    }
  }

  /**
   * Two attempts: the daemon may be exiting under us (a Ctrl-C that reached it too) and need one
   * restart.
   */
  private void cleanThroughContainerd() {
    if (!daemonMayHaveState || !Files.exists(layout.configFile())) {
      return;
    }
    for (int attempt = 1; attempt <= 2; attempt++) {
      if (!ensureDaemonRunning()) {
        return;
      }
      try {
        CtrResult listed = ctr.raw("namespaces", "list", "--quiet");
        requireDaemon();
        if (listed.ok()) {
          namespaces.addAll(Ctr.lines(listed));
        } else {
          problems.add(listed.describe());
        }
        for (String namespace : namespaces) {
          cleanNamespace(namespace);
        }
        return;
      } catch (DaemonGone e) {
        problems.add("containerd exited during cleanup (attempt " + attempt + ")");
      }
    }
  }

  private boolean ensureDaemonRunning() {
    if (daemon.running()) {
      return true;
    }
    try {
      daemon.start(); // ctr is the only clean way to stop shims and release snapshots
      return true;
    } catch (SandboxException e) {
      problems.add(
          "could not restart containerd for cleanup, falling back to force: " + e.getMessage());
      return false;
    }
  }

  private void requireDaemon() {
    if (!daemon.running()) {
      throw new DaemonGone();
    }
  }

  private static final class DaemonGone extends RuntimeException {
    private static final long serialVersionUID = 1L;

    DaemonGone() {
      super(null, null, false, false);
    }
  }

  private void cleanNamespace(String namespace) {
    requireDaemon();
    List<String> tasks = list(namespace, "tasks");
    for (String task : tasks) {
      // SIGKILL, not SIGTERM: `sleep` as PID 1 has no handler and PID 1 ignores unhandled SIGTERM.
      ctr.inNamespace(namespace, "tasks", "kill", "--all", "--signal", "SIGKILL", task);
    }
    for (String task : tasks) {
      awaitTaskStopped(namespace, task);
      reportCtr(ctr.inNamespace(namespace, "tasks", "delete", "--force", task));
    }
    for (String id : list(namespace, "containers")) {
      containers.add(new ContainerRef(namespace, id));
      reportCtr(ctr.inNamespace(namespace, "containers", "delete", id));
    }
    for (String image : list(namespace, "images")) {
      // --sync: the namespace can only be removed once GC has dropped the image's content and
      // snapshots.
      reportCtr(ctr.inNamespace(namespace, "images", "delete", "--sync", image));
    }
    for (String lease : list(namespace, "leases")) {
      reportCtr(ctr.inNamespace(namespace, "leases", "delete", lease));
    }
    for (String blob : list(namespace, "content")) {
      reportCtr(ctr.inNamespace(namespace, "content", "delete", blob));
    }
    reportCtr(ctr.inNamespace(namespace, "namespaces", "remove", namespace));
  }

  private List<String> list(String namespace, String kind) {
    CtrResult listed = ctr.inNamespace(namespace, kind, "list", "--quiet");
    reportCtr(listed);
    return listed.ok() ? Ctr.lines(listed) : List.of();
  }

  private void awaitTaskStopped(String namespace, String task) {
    long deadline = System.nanoTime() + TASK_EXIT_WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      CtrResult listed = ctr.inNamespace(namespace, "tasks", "list");
      boolean stillRunning =
          TaskInfo.parseList(listed.stdout()).stream()
              .anyMatch(t -> t.id().equals(task) && !t.status().equals("STOPPED"));
      if (!listed.ok() || !stillRunning) {
        return;
      }
      ContainerdDaemon.sleep(Duration.ofMillis(50));
    }
  }

  private void reportCtr(CtrResult result) {
    requireDaemon(); // a failure because the daemon died is not worth reporting: the retry will
    // tell
    report(result);
  }

  private void report(CtrResult result) {
    if (!result.ok()) {
      problems.add(result.describe());
    }
  }

  /**
   * Shims name our socket in their command line; a daemon adopted from a dead JVM names our config.
   * Only containerd's own executables are killed: an exporter under test pointed at our socket is
   * not ours to kill.
   */
  private void killProcessesMentioningSandbox() {
    List<ProcessHandle> victims =
        ourContainerdProcesses().stream()
            .map(p -> ProcessHandle.of(p.pid()))
            .flatMap(java.util.Optional::stream)
            .toList();
    killAndWait(victims);
    for (ProcFs.ProcessInfo survivor : ourContainerdProcesses()) {
      if (ProcFs.isRunning(survivor.pid())) {
        problems.add("process survived SIGKILL: " + survivor.pid() + " " + survivor.cmdline());
      }
    }
  }

  private List<ProcFs.ProcessInfo> ourContainerdProcesses() {
    return ProcFs.processesMentioning(layout.tempDir().toString()).stream()
        .filter(p -> executableName(p.cmdline()).startsWith("containerd"))
        .toList();
  }

  private static String executableName(String cmdline) {
    String executable = cmdline.split(" ", 2)[0];
    return executable.substring(executable.lastIndexOf('/') + 1);
  }

  /**
   * A shim killed by force re-parents its container's PID 1 to init, which keeps running: only the
   * cgroup still knows it was ours.
   */
  private void killProcessesInOurCgroups() throws IOException {
    List<ProcessHandle> victims = new ArrayList<>();
    for (Path cgroup : ourCgroups()) {
      for (Path procs : cgroupProcsFiles(cgroup)) {
        for (String line : Files.readAllLines(procs)) {
          if (!line.isBlank()) {
            ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(victims::add);
          }
        }
      }
    }
    killAndWait(victims);
  }

  private static List<Path> cgroupProcsFiles(Path cgroup) throws IOException {
    try (Stream<Path> walk = Files.walk(cgroup)) {
      return walk.filter(p -> p.getFileName().toString().equals("cgroup.procs")).toList();
    }
  }

  private void killAndWait(List<ProcessHandle> victims) {
    long self = ProcessHandle.current().pid();
    for (ProcessHandle victim : victims) {
      if (victim.pid() != self) {
        victim.destroyForcibly();
      }
    }
    long deadline = System.nanoTime() + PROCESS_EXIT_WAIT.toNanos();
    for (ProcessHandle victim : victims) {
      while (ProcFs.isRunning(victim.pid()) && System.nanoTime() < deadline) {
        ContainerdDaemon.sleep(Duration.ofMillis(20));
      }
    }
  }

  private void unmountEverythingUnderTempDir() {
    List<Path> mountPoints =
        ProcFs.mountsUnder(layout.tempDir()).stream()
            .map(ProcFs.MountEntry::mountPoint)
            .distinct()
            .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
            .toList();
    for (Path mountPoint : mountPoints) {
      CtrResult unmounted =
          Commands.run(List.of("umount", mountPoint.toString()), Duration.ofSeconds(10));
      if (!unmounted.ok()) {
        // Busy (an fd still open somewhere): detach it so the tree can go; the kernel frees it
        // later.
        report(
            Commands.run(
                List.of("umount", "--lazy", mountPoint.toString()), Duration.ofSeconds(10)));
      }
    }
  }

  private void removeOurShimSockets() throws IOException {
    Set<String> ours = new LinkedHashSet<>();
    for (ContainerRef container : containers) {
      ours.add(ShimSockets.socketName(layout.grpcSocket(), container.namespace(), container.id()));
    }
    for (String entry : HostBaseline.entries(HostBaseline.SHIM_SOCKETS)) {
      if (!baseline.shimSockets().contains(entry) && ours.contains(entry)) {
        Files.deleteIfExists(HostBaseline.SHIM_SOCKETS.resolve(entry));
      }
    }
  }

  /**
   * Only relevant to tasks started without {@code --runc-root} (e.g. by the exporter's own tests
   * through gRPC).
   */
  private void removeOurRuncState() throws IOException {
    for (String namespace : namespaces) {
      if (baseline.runcEntries().contains(namespace)) {
        continue;
      }
      Path dir = HostBaseline.RUNC_ROOT.resolve(namespace);
      for (ContainerRef container : containers) {
        if (container.namespace().equals(namespace)) {
          deleteRecursively(dir.resolve(container.id()));
        }
      }
      rmdirIfEmpty(dir);
    }
  }

  /**
   * Cgroups of our containers that did not exist before we started. Deliberately per container, not
   * per namespace: another sandbox running at the same time may use the same namespace name, and
   * its tasks are not ours to kill.
   */
  private List<Path> ourCgroups() {
    List<Path> ours = new ArrayList<>();
    for (Path mountPoint : ProcFs.cgroupMountPoints()) {
      for (ContainerRef container : containers) {
        String relative = container.namespace() + "/" + container.id();
        if (!baseline.cgroupExisted(mountPoint, relative)
            && Files.isDirectory(mountPoint.resolve(relative))) {
          ours.add(mountPoint.resolve(relative));
        }
      }
    }
    return ours;
  }

  /** cgroupfs directories cannot be emptied with unlink, only rmdir'ed, children first. */
  private void removeOurCgroups() throws IOException {
    for (Path cgroup : ourCgroups()) {
      List<Path> dirs;
      try (Stream<Path> walk = Files.walk(cgroup)) {
        dirs =
            walk.filter(Files::isDirectory)
                .sorted(Comparator.comparingInt(Path::getNameCount).reversed())
                .toList();
      }
      for (Path dir : dirs) {
        rmdirWithRetry(dir);
      }
    }
    // containerd creates the namespace level but never removes it. Only rmdir: if another sandbox's
    // containers
    // live in it the kernel refuses, which is exactly right.
    for (Path mountPoint : ProcFs.cgroupMountPoints()) {
      for (String namespace : namespaces) {
        Path dir = mountPoint.resolve(namespace);
        if (!baseline.cgroupExisted(mountPoint, namespace) && Files.isDirectory(dir)) {
          rmdirWithRetry(dir);
        }
      }
    }
  }

  private void rmdirWithRetry(Path dir) {
    IOException last = null;
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return;
      } catch (IOException e) {
        last = e; // EBUSY while the last exiting process is still being reaped
        ContainerdDaemon.sleep(Duration.ofMillis(50));
      }
    }
    problems.add("cannot rmdir cgroup " + dir + ": " + last);
  }

  private void removeRunContainerdDirsWeCreated() throws IOException {
    List<String> leftFifos =
        HostBaseline.entries(HostBaseline.FIFO_DIR).stream()
            .filter(entry -> !baseline.fifoEntries().contains(entry))
            .toList();
    if (!leftFifos.isEmpty()) {
      // ctr names these randomly; without proof of ownership they are reported, not deleted.
      problems.add(
          "new entries in " + HostBaseline.FIFO_DIR + " (not ours to delete?): " + leftFifos);
    }
    if (baseline.runContainerdExisted()) {
      return;
    }
    rmdirIfEmpty(HostBaseline.SHIM_SOCKETS);
    rmdirIfEmpty(HostBaseline.FIFO_DIR);
    rmdirIfEmpty(HostBaseline.RUNC_ROOT);
    rmdirIfEmpty(HostBaseline.RUN_CONTAINERD);
  }

  private static void rmdirIfEmpty(Path dir) throws IOException {
    if (Files.isDirectory(dir) && HostBaseline.entries(dir).isEmpty()) {
      try {
        Files.delete(dir);
      } catch (NoSuchFileException | java.nio.file.DirectoryNotEmptyException e) {
        // Another sandbox got there first, or just put something in: fine either way.
      }
    }
  }

  private void deleteTempDir() throws IOException {
    List<ProcFs.MountEntry> stillMounted = ProcFs.mountsUnder(layout.tempDir());
    if (!stillMounted.isEmpty()) {
      // Recursing into a live mount would delete someone's data through it; better to leave the
      // dir.
      problems.add("left " + layout.tempDir() + " in place, still mounted: " + stillMounted);
      return;
    }
    deleteRecursively(layout.tempDir());
  }

  static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
            Files.deleteIfExists(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }
}
