package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.logging.LogCapture;
import io.containerdexporter.model.ContainerdStatus;
import io.containerdexporter.model.ContainerdVersion;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConnectionMonitorTest {

  private static final ContainerdVersion V1 = new ContainerdVersion("1.6.20", "abc");

  /** Answers from a script: a version, or an exception to throw. */
  private static final class ScriptedProbe implements ConnectionMonitor.Probe {
    final Deque<Object> answers = new ArrayDeque<>();
    final Path socket;
    int retries;

    ScriptedProbe(Path socket) {
      this.socket = socket;
    }

    @Override
    public ContainerdVersion version() {
      Object next = answers.removeFirst();
      if (next instanceof RuntimeException e) {
        throw e;
      }
      return (ContainerdVersion) next;
    }

    @Override
    public void beforeRetry() {
      retries++;
    }

    @Override
    public Path socket() {
      return socket;
    }
  }

  private Instant now = Instant.parse("2026-01-01T00:00:00Z");
  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now;
        }
      };

  @Test
  void downUntilContainerdAnswersThenUpWithItsVersion(@TempDir Path dir) {
    ScriptedProbe probe = new ScriptedProbe(dir.resolve("containerd.sock"));
    ConnectionMonitor monitor = new ConnectionMonitor(probe, clock);
    assertFalse(monitor.status().up());
    assertFalse(monitor.status().everAnswered());

    RuntimeException unavailable =
        Status.UNAVAILABLE.withDescription("io exception").asRuntimeException();
    probe.answers.add(unavailable);
    probe.answers.add(unavailable);
    probe.answers.add(V1);

    assertEquals(Duration.ofMillis(250), monitor.probeNow());
    assertEquals(Duration.ofMillis(500), monitor.probeNow());
    assertEquals(2, probe.retries, "grpc's reconnect backoff is reset before every retry");
    assertFalse(monitor.status().up());

    now = now.plusSeconds(3);
    assertEquals(ConnectionMonitor.HEALTHY_INTERVAL, monitor.probeNow());
    ContainerdStatus up = monitor.status();
    assertTrue(up.up());
    assertEquals(V1, up.version().orElseThrow());
    assertEquals(now, up.since());
  }

  @Test
  void losingContainerdKeepsTheLastVersionAndRestartsTheBackoff(@TempDir Path dir) {
    ScriptedProbe probe = new ScriptedProbe(dir.resolve("containerd.sock"));
    ConnectionMonitor monitor = new ConnectionMonitor(probe, clock);
    RuntimeException unavailable = Status.UNAVAILABLE.asRuntimeException();
    probe.answers.add(V1);
    probe.answers.add(unavailable);
    probe.answers.add(unavailable);
    probe.answers.add(V1);
    probe.answers.add(unavailable);

    monitor.probeNow();
    now = now.plusSeconds(10);
    monitor.probeNow();
    ContainerdStatus down = monitor.status();
    assertFalse(down.up());
    assertTrue(down.everAnswered(), "ready stays ready: containerd answered once");
    assertEquals(V1, down.version().orElseThrow());
    assertEquals(now, down.since());
    assertEquals(Duration.ofMillis(500), monitor.probeNow());
    monitor.probeNow();
    assertTrue(monitor.status().up());
    assertEquals(
        Duration.ofMillis(250),
        monitor.probeNow(),
        "a new outage starts the backoff from the beginning");
  }

  @Test
  void describesTheCommonCausesInWordsAPersonCanActOn(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("missing.sock");
    assertTrue(
        ConnectionMonitor.describe(Status.UNAVAILABLE.asRuntimeException(), missing)
            .startsWith("socket " + missing + " does not exist"));

    Path present = dir.resolve("present.sock");
    try (java.nio.channels.ServerSocketChannel stale =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      stale.bind(
          java.net.UnixDomainSocketAddress.of(
              present)); // a real socket file, left behind when closed
    }
    RuntimeException denied =
        Status.UNAVAILABLE
            .withCause(new java.io.IOException("connect(..) failed: Permission denied"))
            .asRuntimeException();
    assertTrue(
        ConnectionMonitor.describe(denied, present).startsWith("permission denied on " + present));

    RuntimeException refused =
        Status.UNAVAILABLE
            .withCause(new java.io.IOException("connect(..) failed: Connection refused"))
            .asRuntimeException();
    assertTrue(
        ConnectionMonitor.describe(refused, present)
            .startsWith("connection refused on " + present));

    assertEquals(
        "DEADLINE_EXCEEDED: deadline exceeded after 5s",
        ConnectionMonitor.describe(
            Status.DEADLINE_EXCEEDED
                .withDescription("deadline exceeded after 5s")
                .asRuntimeException(),
            present));
  }

  /** A path that exists but is no socket says what it is, whatever the connection error was. */
  @Test
  void aFileOrDirectoryWhereTheSocketShouldBeIsNamedForWhatItIs(@TempDir Path dir)
      throws Exception {
    RuntimeException refused =
        Status.UNAVAILABLE
            .withCause(new java.io.IOException("connect(..) failed: Connection refused"))
            .asRuntimeException();
    Path file = java.nio.file.Files.writeString(dir.resolve("containerd.sock"), "not a socket");
    assertEquals(
        file + " is a regular file, not a socket (is --containerd.address right?)",
        ConnectionMonitor.describe(refused, file));
    assertEquals(
        dir + " is a directory, not a socket (is --containerd.address right?)",
        ConnectionMonitor.describe(refused, dir));
    Path fifo = dir.resolve("fifo");
    assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor());
    assertEquals(
        fifo + " is a named pipe, not a socket (is --containerd.address right?)",
        ConnectionMonitor.describe(refused, fifo));
  }

  /**
   * A retry that fails for the same reason as the last one is not warned about again; a new reason
   * is, and so is the old one once it comes back (here: a socket that refuses us, the same path
   * turned into a regular file, a socket again, then containerd answering and failing again).
   */
  @Test
  void warnsOncePerCauseNotOncePerRetry(@TempDir Path dir) throws Exception {
    Path socket = dir.resolve("containerd.sock");
    bindAndClose(socket);
    ScriptedProbe probe = new ScriptedProbe(socket);
    ConnectionMonitor monitor = new ConnectionMonitor(probe, clock);
    LogCapture capture = LogCapture.of(ConnectionMonitor.class);
    java.util.List<String> warnings = capture.warnings();
    try {
      RuntimeException denied =
          Status.UNAVAILABLE
              .withCause(new java.io.IOException("connect(..) failed: Permission denied"))
              .asRuntimeException();
      for (int i = 0; i < 4; i++) {
        probe.answers.add(denied);
        monitor.probeNow();
      }
      assertEquals(1, warnings.size(), warnings.toString());
      assertTrue(
          warnings
              .get(0)
              .startsWith(
                  "containerd at " + socket + " is not reachable: permission denied on " + socket),
          warnings.get(0));
      assertTrue(warnings.get(0).contains("; retry 1 in 250ms"), warnings.get(0));

      java.nio.file.Files.delete(socket);
      java.nio.file.Files.writeString(socket, "not a socket");
      for (int i = 0; i < 3; i++) {
        probe.answers.add(denied);
        monitor.probeNow();
      }
      assertEquals(2, warnings.size(), warnings.toString());
      assertTrue(
          warnings.get(1).contains(socket + " is a regular file, not a socket"), warnings.get(1));

      java.nio.file.Files.delete(socket);
      bindAndClose(socket);
      for (int i = 0; i < 3; i++) {
        probe.answers.add(denied);
        monitor.probeNow();
      }
      assertEquals(3, warnings.size(), "the first cause, back again: " + warnings);
      assertTrue(warnings.get(2).contains("permission denied on " + socket), warnings.get(2));

      probe.answers.add(V1);
      monitor.probeNow();
      assertTrue(monitor.status().up());
      for (int i = 0; i < 2; i++) {
        probe.answers.add(denied);
        monitor.probeNow();
      }
      assertEquals(
          4, warnings.size(), "after containerd answered, the same cause is news: " + warnings);
      assertTrue(warnings.get(3).contains("; retry 1 in 250ms"), warnings.get(3));

      // A gRPC code whose description varies per call (a deadline's elapsed time) is one cause.
      for (int i = 0; i < 3; i++) {
        probe.answers.add(
            Status.DEADLINE_EXCEEDED
                .withDescription("deadline exceeded after 4.99" + i + "s")
                .asRuntimeException());
        monitor.probeNow();
      }
      assertEquals(5, warnings.size(), warnings.toString());
      assertTrue(
          warnings.get(4).contains("DEADLINE_EXCEEDED: deadline exceeded after 4.990s"),
          warnings.get(4));
    } finally {
      capture.close();
    }
  }

  /** A real socket file, left behind when the listener closes (as a dead containerd leaves it). */
  private static void bindAndClose(Path path) throws java.io.IOException {
    try (java.nio.channels.ServerSocketChannel s =
        java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
      s.bind(java.net.UnixDomainSocketAddress.of(path));
    }
  }
}
