package io.containerdexporter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A containerd with something going on, for scripts/demo: long-running tasks in two namespaces and
 * an OOM kill every 30 s. Prints {@code CONTAINERD_ADDRESS=<socket>} on stdout once ready; runs
 * until SIGINT/SIGTERM or stdin EOF ({@code --ignore-stdin} to run detached with stdin at
 * /dev/null); tears everything down on the way out.
 */
public final class Demo {
  static final String NAMESPACE = "demo";
  static final String BATCH_NAMESPACE = "demo-batch";
  static final String OOM_TASK = "oom-victim";
  static final Duration OOM_INTERVAL = Duration.ofSeconds(30);
  private static final long MIB = 1024 * 1024;

  static final String NETWORKED_TASK = "pinger";

  private final ContainerdSandbox sandbox;
  private volatile VethPair veth = VethPair.NONE;
  private final CountDownLatch stopRequested = new CountDownLatch(1);
  private volatile boolean stopping;

  private Demo(ContainerdSandbox sandbox) {
    this.sandbox = sandbox;
  }

  public static void main(String[] args) throws InterruptedException {
    boolean watchStdin = !List.of(args).contains("--ignore-stdin");
    progress("starting containerd sandbox");
    ContainerdSandbox sandbox;
    try {
      sandbox = ContainerdSandbox.start();
    } catch (SandboxException | SandboxUnavailableException e) {
      progress("cannot start: " + e.getMessage());
      System.exit(2);
      return;
    }
    Demo demo = new Demo(sandbox);
    CountDownLatch finished = new CountDownLatch(1);
    sandbox.leaveShutdownToOwner(); // our hook stops the main thread, whose finally tears down, in
    // order
    Runtime.getRuntime().addShutdownHook(new Thread(() -> demo.stopAndWait(finished), "demo-stop"));
    int exitCode = 0;
    try {
      demo.populate();
      System.out.println("CONTAINERD_ADDRESS=" + sandbox.socket());
      System.out.flush();
      progress(
          "ready: containerd "
              + sandbox.serverVersion()
              + " at "
              + sandbox.socket()
              + ", metrics on http://"
              + sandbox.metricsAddress()
              + "/v1/metrics; stop with Ctrl-C, SIGTERM"
              + (watchStdin ? " or EOF on stdin" : ""));
      if (watchStdin) {
        demo.stopOnStdinEof();
      }
      demo.oomLoop();
    } catch (RuntimeException e) {
      if (!demo.stopping) { // failures caused by the teardown racing us are expected
        progress("failed: " + e.getMessage());
        exitCode = 1;
      }
    } finally {
      progress("tearing down");
      demo.veth.close();
      sandbox.close();
      progress("done");
      finished.countDown();
    }
    if (exitCode != 0) {
      System.exit(exitCode);
    }
  }

  private void populate() {
    for (String namespace : List.of(NAMESPACE, BATCH_NAMESPACE)) {
      progress("importing busybox into namespace " + namespace);
      sandbox.importBusybox(namespace, ContainerdSandbox.BUSYBOX_IMAGE);
    }
    start(
        NAMESPACE,
        "sleeper",
        RunOptions.builder().label("app", "sleeper").build(),
        "sleep",
        "2147483647");
    // Bursts of shell arithmetic then a pause: visible but modest CPU, further capped at 20% of a
    // core.
    start(
        NAMESPACE,
        "cpu-burner",
        RunOptions.builder().label("app", "cpu-burner").cpuQuota(20_000, 100_000).build(),
        "sh",
        "-c",
        "while :; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1; done");
    // 16 MiB in tmpfs is charged to the container's memory cgroup, against a 64 MiB limit.
    start(
        NAMESPACE,
        "memory-holder",
        RunOptions.builder().label("app", "memory-holder").memoryLimitBytes(64 * MIB).build(),
        "sh",
        "-c",
        "head -c 16777216 /dev/zero > /dev/shm/hold; exec sleep 2147483647");
    start(
        BATCH_NAMESPACE,
        "batch-worker",
        RunOptions.builder().label("app", "batch").env("JOB", "demo").build(),
        "sh",
        "-c",
        "while :; do date; sleep 5; done");
    // A network namespace of its own with a real interface, so the network families have something
    // to show:
    // the task pings the host end of a veth pair every second (ctr gives a task only "lo" without a
    // CNI).
    start(
        NAMESPACE,
        NETWORKED_TASK,
        RunOptions.builder().label("app", "pinger").build(),
        "sh",
        "-c",
        "while :; do ping -c 1 -W 1 " + VethPair.HOST_ADDRESS + " >/dev/null 2>&1; sleep 1; done");
    long pid =
        sandbox.tasks(NAMESPACE).stream()
            .filter(t -> t.id().equals(NETWORKED_TASK))
            .findFirst()
            .orElseThrow()
            .pid();
    progress("giving " + NAMESPACE + "/" + NETWORKED_TASK + " an eth0: a veth pair to the host");
    veth = VethPair.into(pid);
  }

  private void start(String namespace, String id, RunOptions options, String... args) {
    progress("running " + namespace + "/" + id + ": " + String.join(" ", args));
    sandbox.run(namespace, id, ContainerdSandbox.BUSYBOX_IMAGE, options, args);
  }

  /**
   * Doubles a shell string until the 8 MiB limit: the kernel OOM-kills it, containerd emits
   * /tasks/oom.
   */
  private void oomLoop() throws InterruptedException {
    int round = 0;
    while (!stopping) {
      round++;
      removeTaskAndContainer(BATCH_NAMESPACE, OOM_TASK);
      progress(
          "OOM round "
              + round
              + ": running "
              + BATCH_NAMESPACE
              + "/"
              + OOM_TASK
              + " with an 8 MiB limit");
      sandbox.run(
          BATCH_NAMESPACE,
          OOM_TASK,
          ContainerdSandbox.BUSYBOX_IMAGE,
          RunOptions.builder().label("app", "oom-victim").memoryLimitBytes(8 * MIB).build(),
          "/bin/sh",
          "-c",
          "x=a; while :; do x=$x$x; done");
      if (stopRequested.await(OOM_INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
        return;
      }
    }
  }

  private void removeTaskAndContainer(String namespace, String id) {
    String status = sandbox.taskStatus(namespace, id);
    if (!status.equals(ContainerdSandbox.NO_TASK)) {
      if (!status.equals("STOPPED")) {
        sandbox.kill(namespace, id, "SIGKILL");
        sandbox.awaitTaskStatus(namespace, id, "STOPPED", Duration.ofSeconds(10));
      }
      int exit = sandbox.deleteTask(namespace, id);
      progress(
          "previous "
              + namespace
              + "/"
              + id
              + " exited with "
              + exit
              + (exit == 137 ? " (OOM-killed)" : ""));
    }
    if (sandbox.ctr("--namespace", namespace, "containers", "info", id).ok()) {
      sandbox.deleteContainer(namespace, id);
    }
  }

  private void stopOnStdinEof() {
    Thread watcher =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                byte[] buffer = new byte[256];
                while (in.read(buffer) >= 0) {
                  // Input is ignored; only its end matters.
                }
              } catch (IOException e) {
                // A broken stdin counts as closed.
              }
              progress("stdin closed");
              requestStop();
            },
            "demo-stdin-watch");
    watcher.setDaemon(true);
    watcher.start();
  }

  private void requestStop() {
    stopping = true;
    stopRequested.countDown();
  }

  /** From the shutdown hook: let the main thread finish its teardown instead of racing it. */
  private void stopAndWait(CountDownLatch finished) {
    requestStop();
    try {
      if (!finished.await(60, TimeUnit.SECONDS)) {
        sandbox.close();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void progress(String message) {
    System.err.println("[demo] " + message);
  }
}
