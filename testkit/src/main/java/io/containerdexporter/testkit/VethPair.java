package io.containerdexporter.testkit;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A veth pair from the host into a task's network namespace ({@code eth0} there, {@code ced<pid>}
 * here, a /30 between them): a real interface for the network families without a CNI. Deleting the
 * host end deletes both; the kernel does the same when the task's namespace goes away.
 */
public final class VethPair implements AutoCloseable {

  static final String HOST_ADDRESS = "10.213.77.1";
  static final String TASK_ADDRESS = "10.213.77.2";

  /** Nothing to tear down. */
  static final VethPair NONE = new VethPair(null);

  private final String hostEnd;

  private VethPair(String hostEnd) {
    this.hostEnd = hostEnd;
  }

  /**
   * Creates the pair, addresses both ends and brings them up; throws with ip's output if any step
   * fails.
   */
  public static VethPair into(long pid) {
    String hostEnd = "ced" + pid;
    String target = Long.toString(pid);
    run("ip", "link", "add", hostEnd, "type", "veth", "peer", "name", "eth0", "netns", target);
    VethPair pair = new VethPair(hostEnd);
    try {
      run("ip", "addr", "add", HOST_ADDRESS + "/30", "dev", hostEnd);
      run("ip", "link", "set", hostEnd, "up");
      run("nsenter", "-t", target, "-n", "ip", "addr", "add", TASK_ADDRESS + "/30", "dev", "eth0");
      run("nsenter", "-t", target, "-n", "ip", "link", "set", "eth0", "up");
      return pair;
    } catch (RuntimeException e) {
      pair.close();
      throw e;
    }
  }

  public String hostEnd() {
    return hostEnd;
  }

  /** Deletes the host end if it still exists; never throws. */
  @Override
  public void close() {
    if (hostEnd == null) {
      return;
    }
    try {
      Process p =
          new ProcessBuilder("ip", "link", "del", hostEnd).redirectErrorStream(true).start();
      p.getInputStream()
          .readAllBytes(); // "Cannot find device" when the namespace took it along: fine
      p.waitFor();
    } catch (IOException e) {
      System.err.println("[testkit] cannot delete veth " + hostEnd + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void run(String... command) {
    try {
      Process p =
          new ProcessBuilder(new ArrayList<>(List.of(command))).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new SandboxException(String.join(" ", command) + " failed: " + out.strip());
      }
    } catch (IOException e) {
      throw new SandboxException("cannot run " + command[0], e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxException("interrupted running " + command[0], e);
    }
  }
}
