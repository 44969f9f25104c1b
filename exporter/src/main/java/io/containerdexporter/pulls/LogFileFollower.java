package io.containerdexporter.pulls;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Objects;
import java.util.logging.Logger;

/**
 * Follows one log file the way {@code tail -F} does: from its end at start-up (old lines are never
 * counted), from the start of a file that appears later or replaces it (rotation by rename,
 * containerd restarted onto a new file), and from the start again when it is truncated in place
 * (copytruncate). The rest of a replaced file is read to its end first. Polls, so it works on any
 * filesystem, including a hostPath mount in a DaemonSet.
 */
public final class LogFileFollower implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(LogFileFollower.class.getName());

  private final Path file;
  private final Duration pollEvery;
  private final LineAssembler lines;
  private final Thread thread;
  private volatile boolean closed;

  private FileChannel channel;
  private Object fileKey;
  private long position;
  private boolean missingLogged;

  LogFileFollower(Path file, Duration pollEvery, LineAssembler.Sink sink) {
    this.file = Objects.requireNonNull(file);
    this.pollEvery = pollEvery;
    this.lines = new LineAssembler(ContainerdLogLine.MAX_LINE_CHARS, sink);
    this.thread = new Thread(this::run, "pulls-log-file");
    this.thread.setDaemon(true);
  }

  /** Starts following {@code file}, feeding {@code stats}. */
  public static LogFileFollower start(Path file, PullStats stats, java.time.Clock clock) {
    LogFileFollower f =
        new LogFileFollower(
            file,
            Duration.ofMillis(250),
            new LogLineCounter("--pulls.log-file=" + file, stats, clock));
    f.openAtEnd();
    f.thread.start();
    return f;
  }

  private void run() {
    byte[] buffer = new byte[64 * 1024];
    while (!closed) {
      try {
        step(buffer);
      } catch (IOException | RuntimeException e) {
        LOG.warning("--pulls.log-file=" + file + ": " + e.getMessage() + "; retrying");
        closeChannel();
      }
      try {
        Thread.sleep(pollEvery.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** At start-up: an existing file is followed from its end. */
  void openAtEnd() {
    try {
      open();
      position = channel.size();
      channel.position(position);
    } catch (IOException e) {
      closeChannel();
    }
  }

  /** One round: read what was appended, then look for truncation and replacement. */
  void step(byte[] buffer) throws IOException {
    if (channel == null) {
      if (!Files.exists(file)) {
        if (!missingLogged) {
          LOG.info("--pulls.log-file=" + file + " does not exist (yet); waiting for it");
          missingLogged = true;
        }
        return;
      }
      open();
      position = 0;
    }
    readToEnd(buffer);
    if (channel.size() < position) {
      // Truncated in place (copytruncate): what follows is a new file's start.
      lines.discardPartial();
      position = 0;
      channel.position(0);
      readToEnd(buffer);
    }
    Object current = currentKey();
    if (current == null || !current.equals(fileKey)) {
      // Replaced (renamed away, or a new file): finish the old one, then start the new one.
      readToEnd(buffer);
      lines.discardPartial();
      closeChannel();
    }
  }

  private void readToEnd(byte[] buffer) throws IOException {
    ByteBuffer bb = ByteBuffer.wrap(buffer);
    int n;
    while (!closed && (n = channel.read(bb.clear(), position)) > 0) {
      position += n;
      lines.feed(buffer, n);
    }
  }

  private void open() throws IOException {
    channel = FileChannel.open(file, StandardOpenOption.READ);
    fileKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    missingLogged = false;
  }

  private Object currentKey() throws IOException {
    try {
      return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  private void closeChannel() {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // read-only: nothing to lose
      }
    }
    channel = null;
    fileKey = null;
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeChannel();
  }
}
