package io.containerdexporter.proc;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts procfs reads that could not be used, by the file's name below the pid ({@code net/dev}, {@code ns/net}):
 * the shape of the cgroup read error counter, for {@code containerd_exporter_procfs_read_errors_total{file}}. The
 * label stays bounded because only the fixed names {@link Procfs} reads are passed, never a path with a pid.
 *
 * <p>Each file name is logged once, at WARNING: a kernel or a permission problem that spoils one pid's file spoils
 * every pid's at every poll, and one line says all there is to say. Thread-safe.
 */
public final class ProcfsReadErrors {

  private static final Logger LOG = Logger.getLogger(ProcfsReadErrors.class.getName());
  private static final int MAX_LOGGED_CHARS = 200;

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /**
   * Counts one unusable read.
   *
   * @param file the fixed name below the pid, the label value
   * @param path the file read, for the log line
   * @param reason why, for the log line (a malformed line is cut to 200 characters)
   */
  public void record(String file, Path path, String reason) {
    boolean[] first = {false};
    counts.computeIfAbsent(file, f -> {
      first[0] = true;
      return new LongAdder();
    }).increment();
    if (first[0]) {
      String shown = reason.length() > MAX_LOGGED_CHARS ? reason.substring(0, MAX_LOGGED_CHARS) + "…" : reason;
      LOG.log(Level.WARNING, "cannot use procfs file {0}: {1} (further errors for \"{2}\" are counted in "
          + "containerd_exporter_procfs_read_errors_total, not logged)", new Object[] {path, shown, file});
    }
  }

  /** Errors so far for one file name (0 if none). */
  public long count(String file) {
    LongAdder adder = counts.get(file);
    return adder == null ? 0 : adder.sum();
  }

  /** Errors so far per file name, sorted by name. */
  public Map<String, Long> snapshot() {
    Map<String, Long> copy = new TreeMap<>();
    counts.forEach((file, adder) -> copy.put(file, adder.sum()));
    return copy;
  }
}
