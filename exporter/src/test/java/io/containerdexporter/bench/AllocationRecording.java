package io.containerdexporter.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;

/**
 * Bytes the exporter allocates, from JFR's jdk.ThreadAllocationStatistics (each live thread's
 * cumulative allocated bytes, sampled every second): the sum over threads of last minus first
 * sample. A thread started and ended between two samples is missed; the poller's and collectors'
 * threads are pooled, so a round's allocation is not.
 */
final class AllocationRecording {

  private static final String SETTINGS =
      """
      <?xml version="1.0" encoding="UTF-8"?>
      <configuration version="2.0" label="bench-alloc">
        <event name="jdk.ThreadAllocationStatistics">
          <setting name="enabled">true</setting>
          <setting name="period">1 s</setting>
        </event>
      </configuration>
      """;

  /** Bytes allocated between the first and the last sample, and the seconds between them. */
  record Allocated(double bytes, double seconds) {}

  private AllocationRecording() {}

  static Path writeSettings(Path dir) {
    try {
      return Files.writeString(dir.resolve("bench-alloc.jfc"), SETTINGS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Allocated read(Path recording) {
    Map<Long, long[]> firstAndLast = new HashMap<>();
    Instant first = null;
    Instant last = null;
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        if (!e.getEventType().getName().equals("jdk.ThreadAllocationStatistics")) {
          continue;
        }
        long thread = e.getThread("thread").getId();
        long allocated = e.getLong("allocated");
        firstAndLast.computeIfAbsent(thread, t -> new long[] {allocated, allocated})[1] = allocated;
        Instant at = e.getStartTime();
        first = first == null || at.isBefore(first) ? at : first;
        last = last == null || at.isAfter(last) ? at : last;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading " + recording, e);
    }
    if (first == null) {
      throw new IllegalStateException(recording + " holds no jdk.ThreadAllocationStatistics");
    }
    double bytes = firstAndLast.values().stream().mapToDouble(v -> v[1] - v[0]).sum();
    return new Allocated(bytes, (last.toEpochMilli() - first.toEpochMilli()) / 1000.0);
  }
}
