package io.containerdexporter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real containerd in a private temp dir, driven through {@code ctr}. Everything it creates (on
 * disk, in /run, in cgroupfs, in the process table, in the mount table) is removed again by {@link
 * #close()}.
 *
 * <pre>{@code
 * try (ContainerdSandbox sandbox = ContainerdSandbox.start()) {
 *     sandbox.importBusybox("test", ContainerdSandbox.BUSYBOX_IMAGE);
 *     sandbox.run("test", "sleeper", ContainerdSandbox.BUSYBOX_IMAGE, RunOptions.DEFAULTS, "sleep", "3600");
 * }
 * }</pre>
 */
public final class ContainerdSandbox implements AutoCloseable {
  public static final String BUSYBOX_IMAGE = "docker.io/library/busybox:latest";

  /** The sandbox image containerd 1.6's CRI plugin asks for by default. */
  public static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.6";

  /** What {@link #taskStatus} answers for a container without a task (or no container at all). */
  public static final String NO_TASK = "NOT_FOUND";

  static final String TEMP_PREFIX = "ctrd-sbx-";

  private static final List<String> BUSYBOX_CMD = List.of("/bin/sh");
  static final List<String> PAUSE_CMD = List.of("/bin/sleep", "2147483647");
  private static final Pattern EXIT_CODE_WARNING =
      Pattern.compile("exit with non-zero exit code (\\d+)");

  private final SandboxOptions options;
  private final SandboxLayout layout;
  private final HostBaseline baseline;
  private final Path busybox;
  private final String metricsAddress;
  private final Ctr ctr;
  private final ContainerdDaemon daemon;
  private final Set<String> namespacesUsed = ConcurrentHashMap.newKeySet();
  private final Set<ContainerRef> containersUsed = ConcurrentHashMap.newKeySet();
  private final Map<String, Path> imageArchives = new ConcurrentHashMap<>();
  private final Thread shutdownHook =
      new Thread(this::closeFromShutdownHook, "containerd-sandbox-teardown");
  private volatile CtrVersion version;
  private boolean closed;

  private ContainerdSandbox(
      SandboxOptions options,
      Path tempDir,
      HostBaseline baseline,
      Path busybox,
      String metricsAddress) {
    this.options = options;
    this.layout = new SandboxLayout(tempDir);
    this.baseline = baseline;
    this.busybox = busybox;
    this.metricsAddress = metricsAddress;
    this.ctr = new Ctr(options.ctrBinary(), layout.grpcSocket(), options.ctrTimeout());
    this.daemon =
        new ContainerdDaemon(
            options.containerdBinary(), layout, ctr, options.startTimeout(), options.pathPrefix());
  }

  /**
   * Starts the host's containerd in a fresh temp dir; throws {@link SandboxUnavailableException} if
   * it cannot.
   */
  public static ContainerdSandbox start() {
    return start(SandboxOptions.DEFAULTS);
  }

  public static ContainerdSandbox start(SandboxOptions options) {
    Path busybox = Preconditions.check(options);
    AbandonedSandboxes.reap(options.tempParent());
    HostBaseline baseline = HostBaseline.capture();
    Path tempDir;
    try {
      tempDir = Files.createTempDirectory(options.tempParent(), TEMP_PREFIX);
    } catch (IOException e) {
      throw new SandboxException("cannot create a temp dir under " + options.tempParent(), e);
    }
    ContainerdSandbox sandbox =
        new ContainerdSandbox(options, tempDir, baseline, busybox, freeLoopbackAddress());
    Runtime.getRuntime().addShutdownHook(sandbox.shutdownHook);
    try {
      sandbox.boot();
      return sandbox;
    } catch (RuntimeException e) {
      sandbox.close();
      throw e;
    }
  }

  private void boot() {
    try {
      new SandboxRecord(
              ProcessHandle.current().pid(),
              options.containerdBinary().toString(),
              options.ctrBinary().toString(),
              baseline)
          .write(layout.recordFile());
      for (Path dir :
          List.of(
              layout.root(),
              layout.state(),
              layout.cniConfDir(),
              layout.runcRoot(),
              layout.fifoDir(),
              layout.imagesDir(),
              layout.taskLogs())) {
        Files.createDirectories(dir);
      }
      Files.writeString(
          layout.configFile(),
          ContainerdConfig.render(
              layout, metricsAddress, options.configVersion(), options.extraConfigToml()));
    } catch (IOException e) {
      throw new SandboxException("cannot prepare " + layout.tempDir(), e);
    }
    daemon.start();
    version = CtrVersion.parse(ctr.raw("version").orThrow().stdout());
  }

  private static String freeLoopbackAddress() {
    // Racy by nature (the port is free now, not necessarily when containerd binds it), but
    // collisions on a
    // test machine are rare and show up clearly in the daemon log.
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- where things are

  public Path socket() {
    return layout.grpcSocket();
  }

  public Path tempDir() {
    return layout.tempDir();
  }

  public Path daemonLog() {
    return layout.daemonLog();
  }

  /**
   * containerd's root dir: tests read the content store's blobs and ingests from here to know exact
   * sizes.
   */
  public Path root() {
    return layout.root();
  }

  /** Drop a CNI conflist here to give CRI pods a network (plugins are read from /usr/lib/cni). */
  public Path cniConfDir() {
    return layout.cniConfDir();
  }

  /**
   * runc's state dir for tasks of this sandbox (ctr's {@code --runc-root} and the CRI runtime's
   * Root).
   */
  public Path runcRoot() {
    return layout.runcRoot();
  }

  /** host:port of containerd's own Prometheus endpoint; the path is {@code /v1/metrics}. */
  public String metricsAddress() {
    return metricsAddress;
  }

  public String serverVersion() {
    return version.serverVersion();
  }

  public String serverRevision() {
    return version.serverRevision();
  }

  public long daemonPid() {
    return daemon.pid();
  }

  public boolean daemonRunning() {
    return daemon.running();
  }

  /** stdout+stderr of a task started by {@link #run}. */
  public Path taskLog(String namespace, String id) {
    return layout.taskLogs().resolve(namespace).resolve(id + ".log");
  }

  // ---------------------------------------------------------------- images

  /**
   * Imports the busybox image (built once per sandbox) as {@code ref}; its Cmd is {@code /bin/sh}.
   */
  public void importBusybox(String namespace, String ref) {
    importArchive(namespace, imageArchive(ref, BUSYBOX_CMD));
  }

  /**
   * Imports busybox running {@code sleep 2147483647} as {@value #PAUSE_IMAGE}, which CRI sandboxes
   * need.
   */
  public void importPause(String namespace) {
    importArchive(namespace, imageArchive(PAUSE_IMAGE, PAUSE_CMD));
  }

  /**
   * The OCI archive of the busybox image named {@code ref}, e.g. to push it to a local registry.
   */
  public Path busyboxImageTar(String ref) {
    return imageArchive(ref, BUSYBOX_CMD);
  }

  private void importArchive(String namespace, Path archive) {
    namespacesUsed.add(namespace);
    ctr.inNamespace(namespace, "images", "import", archive.toString()).orThrow();
  }

  private synchronized Path imageArchive(String ref, List<String> cmd) {
    String key = ref + "\n" + String.join("\n", cmd);
    return imageArchives.computeIfAbsent(
        key,
        k -> {
          Path workDir =
              layout.imagesDir().resolve(OciImageBuilder.sha256Hex(k.getBytes()).substring(0, 16));
          try {
            Files.createDirectories(workDir);
            return new OciImageBuilder(busybox).build(workDir, ref, cmd);
          } catch (IOException e) {
            throw new SandboxException("cannot build image " + ref + " in " + workDir, e);
          }
        });
  }

  // ---------------------------------------------------------------- tasks

  /**
   * {@code ctr run -d}: creates container {@code id} and starts its task; output goes to {@link
   * #taskLog}.
   */
  public void run(
      String namespace, String id, String image, RunOptions runOptions, String... args) {
    namespacesUsed.add(namespace);
    containersUsed.add(new ContainerRef(namespace, id));
    Path log = taskLog(namespace, id);
    try {
      Files.createDirectories(log.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> command =
        new ArrayList<>(
            List.of(
                "--namespace",
                namespace,
                "run",
                "--detach",
                // Keep runc state and IO FIFOs inside the sandbox instead of /run/containerd.
                "--runc-root",
                layout.runcRoot().toString(),
                "--fifo-dir",
                layout.fifoDir().toString(),
                // A file, not a FIFO: nobody reads a detached task's FIFO and a chatty task would
                // block on it.
                "--log-uri",
                log.toUri().toString()));
    command.addAll(RunFlags.of(runOptions));
    command.add(image);
    command.add(id);
    command.addAll(List.of(args));
    ctr.raw(command, options.ctrTimeout()).orThrow();
  }

  /**
   * {@code ctr tasks start -d}: a new task for a container whose last task was deleted (a restart
   * under the same container, as docker's restart policy does); output appends to {@link #taskLog}.
   */
  public void startTask(String namespace, String id) {
    ctr.raw(
            List.of(
                "--namespace",
                namespace,
                "tasks",
                "start",
                "--detach",
                "--fifo-dir",
                layout.fifoDir().toString(),
                "--log-uri",
                taskLog(namespace, id).toUri().toString(),
                id),
            options.ctrTimeout())
        .orThrow();
  }

  /**
   * Runs a process in a running task to completion and returns its output; throws if it exits
   * non-zero.
   */
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
    return ctr.raw(command, options.ctrTimeout()).orThrow();
  }

  /** Sends e.g. "SIGKILL" or "SIGTERM" to the task's init process. */
  public void kill(String namespace, String id, String signal) {
    ctr.inNamespace(namespace, "tasks", "kill", "--signal", signal, id).orThrow();
  }

  /**
   * Deletes a stopped task and returns its exit status (137 = SIGKILLed, e.g. by the OOM killer).
   */
  public int deleteTask(String namespace, String id) {
    CtrResult deleted = ctr.inNamespace(namespace, "tasks", "delete", id).orThrow();
    // ctr reports a non-zero exit only as a warning on stderr and itself exits 0.
    Matcher warning = EXIT_CODE_WARNING.matcher(deleted.stderr());
    return warning.find() ? Integer.parseInt(warning.group(1)) : 0;
  }

  /** Deletes the container and its snapshot; its task must be deleted first. */
  public void deleteContainer(String namespace, String id) {
    ctr.inNamespace(namespace, "containers", "delete", id).orThrow();
  }

  public List<TaskInfo> tasks(String namespace) {
    return TaskInfo.parseList(ctr.inNamespace(namespace, "tasks", "list").orThrow().stdout());
  }

  /**
   * RUNNING, STOPPED, CREATED, PAUSED, ... as {@code ctr tasks ls} prints it, or {@value #NO_TASK}.
   */
  public String taskStatus(String namespace, String id) {
    return tasks(namespace).stream()
        .filter(t -> t.id().equals(id))
        .map(TaskInfo::status)
        .findFirst()
        .orElse(NO_TASK);
  }

  /**
   * Polls {@link #taskStatus} until it equals {@code expected}; throws with the last status on
   * timeout.
   */
  public void awaitTaskStatus(String namespace, String id, String expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    String status = taskStatus(namespace, id);
    while (!status.equals(expected)) {
      if (System.nanoTime() > deadline) {
        throw new SandboxException(
            "task "
                + namespace
                + "/"
                + id
                + " is "
                + status
                + ", not "
                + expected
                + ", after "
                + timeout.toMillis()
                + " ms");
      }
      ContainerdDaemon.sleep(Duration.ofMillis(50));
      status = taskStatus(namespace, id);
    }
  }

  // ---------------------------------------------------------------- namespaces and raw ctr

  public List<String> namespaces() {
    return Ctr.lines(ctr.raw("namespaces", "list", "--quiet").orThrow());
  }

  public void createNamespace(String namespace) {
    namespacesUsed.add(namespace);
    ctr.raw("namespaces", "create", namespace).orThrow();
  }

  /** Fails (like containerd) unless the namespace is empty. */
  public void removeNamespace(String namespace) {
    ctr.raw("namespaces", "remove", namespace).orThrow();
  }

  /**
   * {@code ctr --address SOCKET args...}; does not throw on a non-zero exit (check {@link
   * CtrResult#ok()}).
   */
  public CtrResult ctr(String... args) {
    return ctr.raw(args);
  }

  // ---------------------------------------------------------------- daemon control

  /**
   * SIGKILL the daemon. Shims and tasks keep running: that is containerd's design, and what tests
   * exercise.
   */
  public void killDaemon() {
    daemon.kill();
  }

  /** SIGTERM the daemon and wait for it to exit. */
  public void stopDaemon() {
    daemon.stop();
  }

  /**
   * Starts the daemon again with the same config (stopping it first if it still runs); waits until
   * ready.
   */
  public void restartDaemon() {
    daemon.stop();
    daemon.start();
    version = CtrVersion.parse(ctr.raw("version").orThrow().stdout());
  }

  // ---------------------------------------------------------------- teardown

  /**
   * For an owner with its own shutdown hook that closes the sandbox (the demo): without this, the
   * sandbox's hook would race the owner's teardown on SIGTERM.
   */
  public void leaveShutdownToOwner() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // the hook runs already, and closes the sandbox
    }
  }

  /**
   * Removes everything this sandbox created. Safe to call twice; never throws; reports leftovers on
   * stderr.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // Called from the hook itself or during JVM shutdown: nothing to unregister.
    }
    teardown();
  }

  private void closeFromShutdownHook() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    System.err.println(
        "[testkit] JVM exiting: removing the containerd sandbox in " + layout.tempDir());
    teardown();
  }

  private void teardown() {
    List<String> problems =
        new SandboxTeardown(
                layout, baseline, daemon, ctr, daemon.everReady(), namespacesUsed, containersUsed)
            .run();
    for (String problem : problems) {
      System.err.println(
          "[testkit] teardown of " + layout.tempDir() + " could not clean: " + problem);
    }
  }
}
