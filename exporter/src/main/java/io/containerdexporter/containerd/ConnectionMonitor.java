package io.containerdexporter.containerd;

import io.containerdexporter.model.ContainerdStatus;
import io.containerdexporter.model.ContainerdVersion;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Knows whether containerd is there. While it answers, it asks for its version every {@link
 * #HEALTHY_INTERVAL}, so a dead containerd shows as {@code containerd_up 0} within seconds, not at
 * the next poll. While it does not answer (absent at start, socket missing, permission denied,
 * restarting), it retries with capped exponential backoff and connects as soon as containerd is
 * back. It warns once per cause (socket missing, permission denied, refused, a gRPC code…), not per
 * retry: again only when the cause changes, or after containerd answered in between; the retries
 * themselves are logged at debug level.
 */
public final class ConnectionMonitor implements AutoCloseable {

  static final Duration HEALTHY_INTERVAL = Duration.ofSeconds(1);
  static final Backoff RETRY_BACKOFF = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));

  private static final Logger LOG = Logger.getLogger(ConnectionMonitor.class.getName());

  /** The one call the monitor makes; a seam so the retry logic is tested without a daemon. */
  public interface Probe {
    ContainerdVersion version();

    /**
     * Called before each retry, so the next attempt dials at once instead of waiting on grpc's own
     * backoff.
     */
    void beforeRetry();

    Path socket();
  }

  private final Probe probe;
  private final Clock clock;
  private final AtomicReference<ContainerdStatus> status;
  private final ScheduledExecutorService scheduler;
  private final List<Runnable> onConnected = new CopyOnWriteArrayList<>();
  private int failedAttempts;

  /** The cause last warned about while down; null while up (the next failure warns again). */
  private String warnedCause;

  public ConnectionMonitor(Probe probe, Clock clock) {
    this.probe = probe;
    this.clock = clock;
    this.status = new AtomicReference<>(ContainerdStatus.initial(clock.instant()));
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            ContainerdChannel.daemonThreads("containerd-monitor"));
  }

  public static ConnectionMonitor forClient(ContainerdClient client, Clock clock) {
    return new ConnectionMonitor(
        new Probe() {
          @Override
          public ContainerdVersion version() {
            return client.version();
          }

          @Override
          public void beforeRetry() {
            client.resetConnectBackoff();
          }

          @Override
          public Path socket() {
            return client.socket();
          }
        },
        clock);
  }

  /**
   * Runs {@code action} (on the monitor's thread; it must not block) each time containerd comes
   * back.
   */
  public void onConnected(Runnable action) {
    onConnected.add(action);
  }

  public void start() {
    scheduler.execute(this::probeOnce);
  }

  /** The latest published status; never blocks. */
  public ContainerdStatus status() {
    return status.get();
  }

  /**
   * Runs one probe and returns the delay until the next. Package-private so tests drive it step by
   * step.
   */
  Duration probeNow() {
    ContainerdStatus before = status.get();
    try {
      ContainerdVersion version = probe.version();
      boolean changed = !before.up();
      status.set(
          new ContainerdStatus(
              true, Optional.of(version), changed ? clock.instant() : before.since()));
      if (changed) {
        LOG.info(
            () ->
                "connected to containerd "
                    + version.version()
                    + " (revision "
                    + version.revision()
                    + ") at "
                    + probe.socket()
                    + (failedAttempts > 0 ? " after " + failedAttempts + " failed attempts" : ""));
        onConnected.forEach(Runnable::run);
      }
      failedAttempts = 0;
      warnedCause = null;
      return HEALTHY_INTERVAL;
    } catch (RuntimeException e) {
      failedAttempts++;
      Duration retryIn = RETRY_BACKOFF.delay(failedAttempts);
      status.set(
          new ContainerdStatus(
              false, before.version(), before.up() ? clock.instant() : before.since()));
      Cause cause = cause(e, probe.socket());
      String retry = "retry " + failedAttempts + " in " + retryIn.toMillis() + "ms";
      if (!cause.kind().equals(warnedCause)) {
        warnedCause = cause.kind();
        LOG.warning(
            "containerd at "
                + probe.socket()
                + " is not reachable: "
                + cause.text()
                + "; "
                + retry
                + " (retrying with backoff up to "
                + RETRY_BACKOFF.max().toSeconds()
                + "s; logged again when the cause changes)");
      } else {
        LOG.fine(() -> "containerd still not reachable: " + cause.text() + "; " + retry);
      }
      LOG.log(Level.FINE, "containerd probe failed", e);
      probe.beforeRetry();
      return retryIn;
    }
  }

  private void probeOnce() {
    Duration next;
    try {
      next = probeNow();
    } catch (RuntimeException unexpected) {
      // probeNow handles every failure of the call itself; this is a bug, and the monitor must keep
      // running anyway.
      LOG.log(Level.SEVERE, "connection monitor failed unexpectedly", unexpected);
      next = RETRY_BACKOFF.max();
    }
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::probeOnce, next.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One clause a person can act on: what is wrong with the socket, or the gRPC status. */
  static String describe(Throwable e, Path socket) {
    return cause(e, socket).text();
  }

  /**
   * Why containerd could not be reached: {@code kind} names the cause without the details that vary
   * from one retry to the next (a deadline's elapsed time, a stream id), so the same cause is
   * warned about once; {@code text} is the clause for the log.
   */
  record Cause(String kind, String text) {}

  static Cause cause(Throwable e, Path socket) {
    if (!Files.exists(socket) && !Files.notExists(socket)) {
      // Neither: a directory on the way may not be searched (e.g. 0700, the exporter not root).
      return new Cause(
          "permission denied",
          "permission denied on "
              + socket
              + " (a directory on its path may not be searched; the exporter must run as root or"
              + " with access to the socket)");
    }
    if (!Files.exists(socket)) {
      return new Cause(
          "missing",
          "socket "
              + socket
              + " does not exist (is containerd running? is --containerd.address right?)");
    }
    String notASocket = notASocket(socket);
    if (notASocket != null) {
      return new Cause(
          "not a socket: " + notASocket,
          socket + " is " + notASocket + ", not a socket (is --containerd.address right?)");
    }
    for (Throwable c = e; c != null; c = c.getCause()) {
      String message = String.valueOf(c.getMessage());
      if (message.contains("Permission denied") || message.contains("EACCES")) {
        return new Cause(
            "permission denied",
            "permission denied on "
                + socket
                + " (the exporter must run as root or with access to the socket)");
      }
      if (message.contains("Connection refused") || message.contains("ECONNREFUSED")) {
        return new Cause(
            "refused",
            "connection refused on " + socket + " (stale socket: containerd is not listening)");
      }
    }
    if (e instanceof StatusRuntimeException s) {
      String description = s.getStatus().getDescription();
      return new Cause(
          "status " + s.getStatus().getCode(),
          s.getStatus().getCode() + (description == null ? "" : ": " + description));
    }
    return new Cause(e.getClass().getName(), String.valueOf(e));
  }

  /**
   * What the file at {@code path} is, if it exists and is not a unix socket; null for a socket or
   * if unknown.
   */
  static String notASocket(Path path) {
    if (Files.isDirectory(path)) {
      return "a directory";
    }
    if (Files.isRegularFile(path)) {
      return "a regular file";
    }
    try {
      int type = (Integer) Files.getAttribute(path, "unix:mode") & S_IFMT;
      return switch (type) {
        case S_IFSOCK -> null;
        case S_IFIFO -> "a named pipe";
        case S_IFCHR, S_IFBLK -> "a device";
        default -> "an unknown kind of file";
      };
    } catch (IOException
        | UnsupportedOperationException
        | IllegalArgumentException
        | ClassCastException e) {
      return null; // can't tell: let the connection error speak
    }
  }

  // File type bits of st_mode (sys/stat.h).
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFIFO = 0010000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFBLK = 0060000;

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
