package io.containerdexporter.testkit;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A JVM killed with SIGKILL runs no shutdown hook: its containerd, shims and tasks live on. The
 * next sandbox started on the machine finds their temp dir (its owner is dead) and tears it down
 * from the record written at start.
 */
final class AbandonedSandboxes {
  private AbandonedSandboxes() {}

  static void reap(Path tempParent) {
    try (DirectoryStream<Path> dirs =
        Files.newDirectoryStream(tempParent, ContainerdSandbox.TEMP_PREFIX + "*")) {
      for (Path dir : dirs) {
        reapIfAbandoned(dir);
      }
    } catch (IOException e) {
      System.err.println(
          "[testkit] cannot look for abandoned sandboxes in " + tempParent + ": " + e);
    }
  }

  private static void reapIfAbandoned(Path dir) {
    SandboxLayout layout = new SandboxLayout(dir);
    SandboxRecord record;
    try {
      record = SandboxRecord.read(layout.recordFile());
    } catch (IOException e) {
      return; // no record yet (being created right now) or not ours
    }
    if (record.ownerAlive()) {
      return;
    }
    System.err.println(
        "[testkit] tearing down sandbox " + dir + " abandoned by dead JVM " + record.ownerPid());
    Ctr ctr = new Ctr(Path.of(record.ctrBinary()), layout.grpcSocket(), Duration.ofSeconds(30));
    ContainerdDaemon daemon =
        new ContainerdDaemon(
            Path.of(record.containerdBinary()), layout, ctr, Duration.ofSeconds(15), List.of());
    // The daemon itself survives its JVM; using it lets ctr wind down shims and snapshots the
    // normal way.
    ProcFs.processesMentioning("--config " + layout.configFile()).stream()
        .findFirst()
        .flatMap(p -> ProcessHandle.of(p.pid()))
        .ifPresent(daemon::adopt);
    List<String> problems =
        new SandboxTeardown(layout, record.baseline(), daemon, ctr, true, Set.of(), Set.of()).run();
    for (String problem : problems) {
      System.err.println("[testkit] teardown of abandoned " + dir + " could not clean: " + problem);
    }
  }
}
