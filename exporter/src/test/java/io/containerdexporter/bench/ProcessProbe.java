package io.containerdexporter.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What /proc says about one process: its CPU time, its threads' CPU time, its resident memory. CPU
 * is measured, never wall time, because the benchmark machine is shared and wall time there says
 * more about the neighbours than about us.
 */
final class ProcessProbe {

  /** USER_HZ: the unit of utime and stime in /proc/PID/stat on every Linux this runs on. */
  private static final double MS_PER_TICK = 10.0;

  private final long pid;

  ProcessProbe(long pid) {
    this.pid = pid;
  }

  long pid() {
    return pid;
  }

  /** utime + stime of the whole process (dead threads included), in milliseconds. */
  double cpuMillis() {
    String[] f = statFields(Path.of("/proc/" + pid + "/stat"));
    return (Long.parseLong(f[13]) + Long.parseLong(f[14])) * MS_PER_TICK;
  }

  /**
   * CPU time of the live threads whose name starts with {@code prefix}, from their schedstat (in
   * nanoseconds, so a 1 ms scrape is not lost in 10 ms ticks), in milliseconds.
   */
  double threadCpuMillis(String prefix) {
    double sum = 0;
    for (Path task : tasks()) {
      try {
        if (Files.readString(task.resolve("comm")).strip().startsWith(prefix)) {
          String first = Files.readString(task.resolve("schedstat")).split(" ")[0];
          sum += Long.parseLong(first) / 1e6;
        }
      } catch (IOException gone) {
        // the thread ended between listing and reading
      }
    }
    return sum;
  }

  /**
   * CPU time of the live threads in milliseconds, by name with its numbering dropped ({@code
   * collector-3} counts as {@code collector-}), from their schedstat.
   */
  Map<String, Double> cpuMillisByThreadName() {
    Map<String, Double> byName = new TreeMap<>();
    for (Path task : tasks()) {
      try {
        String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+$", "");
        String first = Files.readString(task.resolve("schedstat")).split(" ")[0];
        byName.merge(name, Long.parseLong(first) / 1e6, Double::sum);
      } catch (IOException gone) {
        // the thread ended between listing and reading
      }
    }
    return byName;
  }

  int threads() {
    return tasks().size();
  }

  /** VmRSS in MiB. */
  double rssMib() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
      throw new IllegalStateException("no VmRSS in /proc/" + pid + "/status");
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone", e);
    }
  }

  private List<Path> tasks() {
    try (Stream<Path> s = Files.list(Path.of("/proc/" + pid + "/task"))) {
      return s.toList();
    } catch (IOException e) {
      throw new IllegalStateException("process " + pid + " is gone", e);
    }
  }

  private static String[] statFields(Path stat) {
    try {
      String text = Files.readString(stat);
      // comm may hold spaces and parentheses: the fields after it start past the last ')'.
      String rest = text.substring(text.lastIndexOf(')') + 2);
      String[] after = rest.split(" ");
      String[] fields = new String[after.length + 2];
      System.arraycopy(after, 0, fields, 2, after.length);
      return fields;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + stat, e);
    }
  }
}
