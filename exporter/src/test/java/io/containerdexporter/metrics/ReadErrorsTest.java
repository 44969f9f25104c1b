package io.containerdexporter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.logging.LogCapture;
import java.nio.file.Path;
import java.text.MessageFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadErrorsTest {

  private LogCapture capture;
  private List<LogRecord> logged;

  @BeforeEach
  void listen() {
    capture = LogCapture.of(ReadErrors.class);
    logged = capture.records();
  }

  @AfterEach
  void stopListening() {
    capture.close();
  }

  @Test
  void countsPerFileNameAndLogsEachNameOnce() {
    ReadErrors errors = new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total");
    errors.record("memory.stat", Path.of("/sys/fs/cgroup/memory/default/c1/memory.stat"), "bad");
    errors.record(
        "memory.stat", Path.of("/sys/fs/cgroup/memory/default/c2/memory.stat"), "bad again");
    errors.record("io.stat", Path.of("/sys/fs/cgroup/a.slice/b.scope/io.stat"), "cut short");

    assertEquals(Map.of("io.stat", 1L, "memory.stat", 2L), errors.snapshot());
    assertEquals(
        List.of("io.stat", "memory.stat"), List.copyOf(errors.snapshot().keySet()), "sorted");
    assertEquals(2, errors.count("memory.stat"));
    assertEquals(0, errors.count("cpu.stat"));
    assertEquals(2, logged.size(), "once per file name");
    assertEquals(Level.WARNING, logged.get(0).getLevel());
    assertEquals(
        "cannot use cgroup file /sys/fs/cgroup/memory/default/c1/memory.stat: bad (further errors for "
            + "\"memory.stat\" are counted in containerd_exporter_cgroup_read_errors_total, not logged)",
        message(logged.get(0)),
        "the kind, the path, the reason and the family");
  }

  @Test
  void theLabelIsTheCallersNameNotThePath() {
    ReadErrors errors = new ReadErrors("procfs", "containerd_exporter_procfs_read_errors_total");
    errors.record("net/dev", Path.of("/proc/4242/net/dev"), "malformed line 'x'");
    errors.record("net/dev", Path.of("/proc/4243/net/dev"), "malformed line 'y'");
    assertEquals(Map.of("net/dev", 2L), errors.snapshot());
    assertTrue(message(logged.get(0)).startsWith("cannot use procfs file /proc/4242/net/dev: "));
  }

  @Test
  void aLongReasonIsCutInTheLog() {
    ReadErrors errors = new ReadErrors("procfs", "containerd_exporter_procfs_read_errors_total");
    errors.record("net/dev", Path.of("/proc/1/net/dev"), "x".repeat(5000));
    String message = message(logged.get(0));
    assertTrue(message.contains("x".repeat(ReadErrors.MAX_LOGGED_CHARS) + "… (further"), message);
    assertTrue(!message.contains("x".repeat(ReadErrors.MAX_LOGGED_CHARS + 1)), message);
  }

  @Test
  void countsFromManyThreads() throws InterruptedException {
    ReadErrors errors = new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total");
    Thread[] threads = new Thread[8];
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 1000; i++) {
                  errors.record("cpu.stat", Path.of("x/cpu.stat"), "bad");
                }
              });
      threads[t].start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(8000, errors.count("cpu.stat"));
    assertEquals(1, logged.size());
  }

  private static String message(LogRecord record) {
    return MessageFormat.format(record.getMessage(), record.getParameters());
  }
}
