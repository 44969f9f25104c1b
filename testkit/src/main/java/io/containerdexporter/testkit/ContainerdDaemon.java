package io.containerdexporter.testkit;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The containerd process of one sandbox: start, readiness, stop, kill. Knows nothing about tasks or
 * images.
 */
final class ContainerdDaemon {
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  private final Path binary;
  private final SandboxLayout layout;
  private final Ctr ctr;
  private final Duration startTimeout;
  private final List<Path> pathPrefix;
  private volatile ProcessHandle handle;
  private volatile boolean everReady;

  ContainerdDaemon(
      Path binary, SandboxLayout layout, Ctr ctr, Duration startTimeout, List<Path> pathPrefix) {
    this.binary = binary;
    this.pathPrefix = List.copyOf(pathPrefix);
    this.layout = layout;
    this.ctr = ctr;
    this.startTimeout = startTimeout;
  }

  /** Starts the daemon and returns once the socket answers {@code ctr version}. */
  void start() {
    if (running()) {
      throw new SandboxException("containerd is already running (pid " + handle.pid() + ")");
    }
    try {
      // A socket file left by a SIGKILLed daemon would make "the socket exists" mean nothing.
      Files.deleteIfExists(layout.grpcSocket());
      ProcessBuilder builder = new ProcessBuilder(command());
      if (!pathPrefix.isEmpty()) {
        // containerd finds its shim on PATH: the release's own must come first.
        List<String> path = new ArrayList<>(pathPrefix.stream().map(Path::toString).toList());
        path.add(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        builder.environment().put("PATH", String.join(":", path));
      }
      Process process =
          builder
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(layout.daemonLog().toFile()))
              .start();
      handle = process.toHandle();
    } catch (IOException e) {
      throw new SandboxException("cannot start " + binary + ": " + e.getMessage(), e);
    }
    awaitReady();
  }

  /**
   * Through {@code setsid} when available: in a session of its own the daemon does not get the
   * terminal's Ctrl-C meant for the JVM, so it is still up when the shutdown hook needs it to clean
   * up. A child of the JVM is never a process group leader, so setsid execs in place and the pid
   * stays the daemon's.
   */
  private List<String> command() {
    List<String> command = new ArrayList<>();
    Preconditions.onPath("setsid").ifPresent(setsid -> command.add(setsid.toString()));
    command.add(binary.toString());
    command.add("--config");
    command.add(layout.configFile().toString());
    return command;
  }

  /**
   * Takes over a daemon left running by a dead JVM, so that teardown can use it and then stop it.
   */
  void adopt(ProcessHandle orphan) {
    handle = orphan;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + startTimeout.toNanos();
    CtrResult lastAttempt = null;
    while (System.nanoTime() < deadline) {
      if (!handle.isAlive()) {
        throw new SandboxException(
            "containerd exited during startup; log tail of "
                + layout.daemonLog()
                + ":\n"
                + logTail(40));
      }
      // Dialling before the socket exists makes gRPC clients back off for ~1 s; wait for the file
      // first.
      if (Files.exists(layout.grpcSocket())) {
        lastAttempt = ctr.raw(List.of("version"), Duration.ofSeconds(5));
        if (lastAttempt.ok()) {
          everReady = true;
          return;
        }
      }
      sleep(Duration.ofMillis(25));
    }
    String lastError =
        lastAttempt == null
            ? "socket " + layout.grpcSocket() + " never appeared"
            : lastAttempt.describe();
    throw new SandboxException(
        "containerd did not become ready within "
            + startTimeout.toSeconds()
            + " s ("
            + lastError
            + "); log tail of "
            + layout.daemonLog()
            + ":\n"
            + logTail(40));
  }

  /**
   * False if the daemon never came up: then nothing was created through it, and restarting it is
   * pointless.
   */
  boolean everReady() {
    return everReady;
  }

  boolean running() {
    ProcessHandle current = handle;
    return current != null && current.isAlive();
  }

  long pid() {
    ProcessHandle current = handle;
    if (current == null) {
      throw new SandboxException("containerd was never started");
    }
    return current.pid();
  }

  Optional<ProcessHandle> handle() {
    return Optional.ofNullable(handle);
  }

  /** SIGKILL: the daemon gets no chance to clean up; shims and tasks keep running. */
  void kill() {
    ProcessHandle current = handle;
    if (current != null && current.isAlive()) {
      current.destroyForcibly();
      awaitExit(current, STOP_GRACE);
    }
  }

  /** SIGTERM and wait; SIGKILL if it does not exit in time. */
  void stop() {
    ProcessHandle current = handle;
    if (current == null || !current.isAlive()) {
      return;
    }
    current.destroy();
    if (!awaitExit(current, STOP_GRACE)) {
      current.destroyForcibly();
      awaitExit(current, STOP_GRACE);
    }
  }

  private static boolean awaitExit(ProcessHandle process, Duration limit) {
    try {
      process.onExit().get(limit.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !process.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !process.isAlive();
    }
  }

  String logTail(int lines) {
    try {
      // Lenient decoding: a log tail must not fail on a stray byte.
      List<String> all =
          new String(Files.readAllBytes(layout.daemonLog()), StandardCharsets.UTF_8)
              .lines()
              .toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "<log unreadable: " + e.getMessage() + ">";
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxException("interrupted", e);
    }
  }
}
