package io.containerdexporter.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Runs shell scripts inside a {@link GuestVm} through the 9p share: the host writes {@code
 * cmd/N.sh}, the guest's loop runs it and writes {@code out/N.out}, {@code out/N.err} and then
 * {@code out/N.rc}. No network service and no ssh in the guest; one command at a time, in order.
 * The loop itself is the guest's scenario entry point, /share/guest-main.sh.
 */
public final class GuestAgent {
  private static final String MAIN =
      """
            #!/bin/sh
            # Written by GuestAgent: run the host's commands in order until it asks us to stop.
            mkdir -p /share/out
            echo ready > /share/agent.ready
            n=0
            while [ ! -f /share/stop ]; do
              if [ -f /share/cmd/$n.sh ]; then
                sh /share/cmd/$n.sh > /share/out/$n.out 2> /share/out/$n.err < /dev/null
                echo $? > /share/out/$n.rc.tmp
                mv /share/out/$n.rc.tmp /share/out/$n.rc
                n=$((n+1))
              else
                sleep 0.1
              fi
            done
            """;

  private final GuestVm vm;
  private final Path share;
  private int next;

  private GuestAgent(GuestVm vm) {
    this.vm = vm;
    this.share = vm.share();
  }

  /** Writes the guest's entry point into {@code share}; do this before {@link GuestVm#boot}. */
  public static void install(Path share) {
    try {
      Files.createDirectories(share.resolve("cmd"));
      Path main = share.resolve("guest-main.sh");
      Files.writeString(main, MAIN);
      main.toFile().setExecutable(true, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits for the booted guest's loop to answer. */
  public static GuestAgent await(GuestVm vm, Duration timeout) {
    GuestAgent agent = new GuestAgent(vm);
    agent.waitFor(
        timeout,
        "the guest to boot and start its agent",
        () -> Files.exists(agent.share.resolve("agent.ready")));
    return agent;
  }

  /** Runs {@code script} with the guest's /bin/sh. */
  public synchronized CtrResult sh(String script, Duration timeout) {
    int n = next++;
    try {
      Path tmp = share.resolve("cmd/" + n + ".tmp");
      Files.writeString(tmp, script + "\n");
      Files.move(tmp, share.resolve("cmd/" + n + ".sh"), StandardCopyOption.ATOMIC_MOVE);
      Path rc = share.resolve("out/" + n + ".rc");
      boolean done = waitUntil(timeout, () -> Files.exists(rc));
      String out = readIfThere(share.resolve("out/" + n + ".out"));
      String err = readIfThere(share.resolve("out/" + n + ".err"));
      if (!done) {
        // The guest's loop is stuck in this command: nothing later can run either.
        throw new SandboxException(
            "guest command "
                + n
                + " did not finish in "
                + timeout.toSeconds()
                + " s: "
                + script
                + "\noutput so far:\n"
                + out
                + err
                + "\nconsole:\n"
                + vm.consoleTail(20));
      }
      int exit = Integer.parseInt(Files.readString(rc).strip());
      return new CtrResult(List.of("guest", "sh", "-c", script), exit, out, err, false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readIfThere(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file) : "";
  }

  /** Single-quotes {@code arg} for the guest's shell. */
  public static String quote(String arg) {
    return "'" + arg.replace("'", "'\\''") + "'";
  }

  public static String quoteAll(List<String> args) {
    return String.join(" ", args.stream().map(GuestAgent::quote).toList());
  }

  /** Asks the loop to end (guest-init then powers the guest off). */
  public void stop() {
    try {
      Files.writeString(share.resolve("stop"), "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void waitFor(Duration timeout, String what, BooleanSupplier done) {
    if (!waitUntil(timeout, done)) {
      throw new SandboxException(
          "timed out after "
              + timeout.toSeconds()
              + " s waiting for "
              + what
              + (vm.running() ? "" : " (qemu exited)")
              + "; console:\n"
              + vm.consoleTail(30));
    }
  }

  private boolean waitUntil(Duration timeout, BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline || !vm.running()) {
        return done.getAsBoolean();
      }
      ContainerdDaemon.sleep(Duration.ofMillis(50));
    }
    return true;
  }
}
