package io.containerdexporter.pulls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.containerd.Backoff;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Follows containerd's unit in the systemd journal through {@code journalctl --follow
 * --output=json} (a subprocess rather than a journal library: journalctl is the reader systemd
 * maintains for its own file format, is on every systemd node and in every distro image, and needs
 * no native code in the JVM; the JSON it prints is stable API). Starts at the journal's end; when
 * journalctl exits it is started again after the last entry read ({@code --after-cursor}), so no
 * entry counts twice.
 */
public final class JournalFollower implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(JournalFollower.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  /** journalctl's JSON for one entry: the message, escaped, plus a few hundred bytes of fields. */
  static final int MAX_ENTRY_BYTES = 4 * ContainerdLogLine.MAX_LINE_CHARS;

  private final String unit;
  private final Optional<Path> directory;
  private final LogLineCounter counter;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Process process;
  private String cursor;

  JournalFollower(String unit, Optional<Path> directory, LogLineCounter counter) {
    this.unit = unit;
    this.directory = directory;
    this.counter = counter;
    this.thread = new Thread(this::run, "pulls-journal");
    this.thread.setDaemon(true);
  }

  public static JournalFollower start(
      String unit, Optional<Path> directory, PullStats stats, Clock clock) {
    JournalFollower f =
        new JournalFollower(
            unit, directory, new LogLineCounter("--pulls.journal-unit=" + unit, stats, clock));
    f.thread.start();
    return f;
  }

  /** The journalctl command line for the next run. */
  List<String> command() {
    List<String> cmd =
        new ArrayList<>(List.of("journalctl", "--follow", "--output=json", "--unit=" + unit));
    directory.ifPresent(d -> cmd.add("--directory=" + d));
    if (cursor == null) {
      cmd.add("--lines=0");
    } else {
      cmd.add("--after-cursor=" + cursor);
    }
    return cmd;
  }

  private void run() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30));
    int attempt = 0;
    while (!closed) {
      String why;
      try {
        Process p =
            new ProcessBuilder(command()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        process = p;
        p.getOutputStream().close();
        Thread stderr = drainStderr(p);
        readEntries(p.getInputStream());
        int code = p.waitFor();
        stderr.join(1000);
        why = "journalctl exited with " + code;
      } catch (IOException e) {
        why = "cannot run journalctl: " + e.getMessage();
      } catch (InterruptedException e) {
        return;
      }
      if (closed) {
        return;
      }
      Duration wait = backoff.delay(attempt++);
      LOG.warning(
          "--pulls.journal-unit="
              + unit
              + ": "
              + why
              + "; starting it again in "
              + wait.toMillis()
              + " ms");
      try {
        Thread.sleep(wait.toMillis());
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Thread drainStderr(Process p) {
    Thread t =
        new Thread(
            () -> {
              try (InputStream err = p.getErrorStream()) {
                byte[] first = err.readNBytes(2048);
                if (first.length > 0) {
                  LOG.warning(
                      "journalctl: "
                          + new String(first, StandardCharsets.UTF_8)
                              .strip()
                              .replaceAll("\\s*\\R\\s*", "; "));
                }
                err.transferTo(java.io.OutputStream.nullOutputStream());
              } catch (IOException ignored) {
                // the process is gone
              }
            },
            "pulls-journal-stderr");
    t.setDaemon(true);
    t.start();
    return t;
  }

  void readEntries(InputStream in) throws IOException {
    LineAssembler entries =
        new LineAssembler(
            MAX_ENTRY_BYTES,
            new LineAssembler.Sink() {
              @Override
              public void line(String line) {
                entry(line);
              }

              @Override
              public void malformed() {
                counter.malformed();
              }
            });
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = in.read(buffer)) > 0) {
      entries.feed(buffer, n);
    }
  }

  /** One journal entry as journalctl prints it: its MESSAGE is containerd's log line. */
  void entry(String json) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      counter.malformed();
      return;
    }
    if (node == null || !node.isObject()) {
      counter.malformed();
      return;
    }
    if (node.path("__CURSOR").isTextual()) {
      cursor = node.get("__CURSOR").asText();
    }
    Instant at = realtime(node.path("__REALTIME_TIMESTAMP").asText(""));
    JsonNode message = node.path("MESSAGE");
    if (message.isTextual()) {
      counter.line(message.asText(), at);
    } else if (message.isArray()) {
      // journalctl prints a message that is not valid UTF-8 (or has control bytes) as an array of
      // bytes.
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      message.forEach(b -> bytes.write(b.asInt()));
      counter.line(bytes.toString(StandardCharsets.UTF_8), at);
    } else {
      counter.malformed();
    }
  }

  private static Instant realtime(String micros) {
    try {
      long us = Long.parseLong(micros);
      return Instant.ofEpochSecond(us / 1_000_000, (us % 1_000_000) * 1000);
    } catch (NumberFormatException e) {
      return Instant.now();
    }
  }

  @Override
  public void close() {
    closed = true;
    Process p = process;
    if (p != null) {
      p.destroy();
    }
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
    }
  }
}
