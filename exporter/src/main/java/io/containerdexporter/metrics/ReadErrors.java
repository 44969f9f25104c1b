package io.containerdexporter.metrics;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts reads of kernel files that could not be used (malformed text; for procfs also an I/O error
 * on a process that still exists: a cgroup file that cannot be read gives up its whole task, which
 * {@code CgroupReadFailures} counts), per file name: the one counter behind {@code
 * containerd_exporter_cgroup_read_errors_total} and {@code
 * containerd_exporter_procfs_read_errors_total}, one instance per family. The {@code file} label
 * stays bounded because callers pass only the fixed names they read ("memory.stat", "net/dev"),
 * never a path.
 *
 * <p>Each file name is logged once, at WARNING, with the path and the reason: a kernel that writes
 * a file we do not understand, or a permission we lack, spoils it for every task at every poll, and
 * one line says all there is to say. Thread-safe.
 */
public final class ReadErrors {

  private static final Logger LOG = Logger.getLogger(ReadErrors.class.getName());

  /** A reason may quote the file's text; enough to see what is wrong, not a screenful. */
  static final int MAX_LOGGED_CHARS = 200;

  private final String source;
  private final String family;
  private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();

  /**
   * @param source what kind of file, for the log line ("cgroup", "procfs")
   * @param family the name of the counter family that exposes these counts, for the log line
   */
  public ReadErrors(String source, String family) {
    this.source = source;
    this.family = family;
  }

  /**
   * Counts one unusable read.
   *
   * @param file the fixed file name, the label value
   * @param path the file read, for the log line
   * @param reason why, for the log line (cut to 200 characters)
   */
  public void record(String file, Path path, String reason) {
    boolean[] first = {false};
    counts
        .computeIfAbsent(
            file,
            f -> {
              first[0] = true;
              return new LongAdder();
            })
        .increment();
    if (first[0]) {
      String shown =
          reason.length() > MAX_LOGGED_CHARS ? reason.substring(0, MAX_LOGGED_CHARS) + "…" : reason;
      LOG.log(
          Level.WARNING,
          "cannot use {0} file {1}: {2} (further errors for \"{3}\" are counted in {4}, not "
              + "logged)",
          new Object[] {source, path, shown, file, family});
    }
  }

  /** The name of the family these counts are exposed as. */
  public String family() {
    return family;
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
