package io.containerdexporter.cgroup;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts cgroup files that could not be used (malformed text, an I/O error on a cgroup that still exists), per base
 * file name. Backs {@code containerd_exporter_cgroup_read_errors_total{file}}. The label stays bounded because only
 * the base name is kept ("memory.stat", never a path), and the readers only ever pass the fixed names they read.
 *
 * <p>Each file name is logged once, at WARNING, with the path and the reason: a kernel that writes a file we do not
 * understand does so for every task at every poll, and one line says all there is to say. Thread-safe.
 */
public final class CgroupReadErrors {

  private static final Logger LOG = Logger.getLogger(CgroupReadErrors.class.getName());

  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /**
   * Counts one unusable read of {@code path}.
   *
   * @param reason why, for the log line
   */
  public void record(Path path, String reason) {
    String file = label(path);
    boolean[] first = {false};
    counts.computeIfAbsent(file, f -> {
      first[0] = true;
      return new LongAdder();
    }).increment();
    if (first[0]) {
      LOG.log(Level.WARNING, "cannot use cgroup file {0}: {1} (further errors for \"{2}\" are counted in "
          + "containerd_exporter_cgroup_read_errors_total, not logged)", new Object[] {path, reason, file});
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

  private static String label(Path path) {
    Path name = path.getFileName();
    return name == null ? "" : name.toString();
  }
}
