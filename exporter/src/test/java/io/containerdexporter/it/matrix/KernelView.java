package io.containerdexporter.it.matrix;

import java.util.List;
import java.util.Optional;

/**
 * The kernel's own view of one ctr task's cgroup, whichever cgroup version the cell runs: each
 * method names the quantity and knows the file it lives in on v1 and on v2. The only place the
 * scenarios tell the versions apart.
 */
final class KernelView {
  private static final List<String> V1_CPU_DIRS = List.of("cpuacct", "cpu,cpuacct", "cpuacct,cpu");
  private static final List<String> V1_CFS_DIRS = List.of("cpu", "cpu,cpuacct", "cpuacct,cpu");

  private final Cell cell;
  private final String relative;

  KernelView(Cell cell, String namespace, String id) {
    this.cell = cell;
    this.relative = namespace + "/" + id; // ctr's default cgroup: /<namespace>/<id>
  }

  private boolean v2() {
    return cell.cgroupVersion() == 2;
  }

  private String read(String path) {
    return cell.readFile(path)
        .orElseThrow(() -> new AssertionError("the kernel has no " + path))
        .strip();
  }

  private String v1(List<String> controllerDirs, String file) {
    for (String dir : controllerDirs) {
      String path = "/sys/fs/cgroup/" + dir + "/" + relative + "/" + file;
      Optional<String> content = cell.readFile(path);
      if (content.isPresent()) {
        return content.get().strip();
      }
    }
    throw new AssertionError("no " + file + " under any of " + controllerDirs + " for " + relative);
  }

  private String v1(String controller, String file) {
    return v1(List.of(controller), file);
  }

  private String v2(String file) {
    return read("/sys/fs/cgroup/" + relative + "/" + file);
  }

  /** The value of {@code key} in a flat-keyed file ("key value" lines). */
  static long keyed(String content, String key) {
    return content
        .lines()
        .map(l -> l.split("\\s+"))
        .filter(f -> f.length >= 2 && f[0].equals(key))
        .mapToLong(f -> Long.parseLong(f[1]))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + key + " in:\n" + content));
  }

  String v2Path(String file) {
    return "/sys/fs/cgroup/" + relative + "/" + file;
  }

  double cpuSeconds() {
    return v2()
        ? keyed(v2("cpu.stat"), "usage_usec") / 1e6
        : Long.parseLong(v1(V1_CPU_DIRS, "cpuacct.usage")) / 1e9;
  }

  long memoryUsage() {
    return Long.parseLong(v2() ? v2("memory.current") : v1("memory", "memory.usage_in_bytes"));
  }

  long workingSet() {
    long inactive =
        v2()
            ? keyed(v2("memory.stat"), "inactive_file")
            : keyed(v1("memory", "memory.stat"), "total_inactive_file");
    return Math.max(0, memoryUsage() - inactive);
  }

  long memoryPeak() {
    return Long.parseLong(v2() ? v2("memory.peak") : v1("memory", "memory.max_usage_in_bytes"));
  }

  long memoryLimit() {
    return Long.parseLong(v2() ? v2("memory.max") : v1("memory", "memory.limit_in_bytes"));
  }

  long cpuQuotaMicros() {
    return Long.parseLong(v2() ? v2("cpu.max").split(" ")[0] : v1(V1_CFS_DIRS, "cpu.cfs_quota_us"));
  }

  long cpuPeriodMicros() {
    return Long.parseLong(
        v2() ? v2("cpu.max").split(" ")[1] : v1(V1_CFS_DIRS, "cpu.cfs_period_us"));
  }

  long pids() {
    return Long.parseLong(v2() ? v2("pids.current") : v1("pids", "pids.current"));
  }

  /**
   * Processes the OOM killer killed in this cgroup: {@code oom_kill} in memory.oom_control (v1),
   * memory.events (v2).
   */
  long oomKills() {
    Optional<String> file =
        cell.readFile(
            v2()
                ? v2Path("memory.events")
                : "/sys/fs/cgroup/memory/" + relative + "/memory.oom_control");
    return file.map(content -> keyed(content, "oom_kill")).orElse(-1L);
  }

  /** {@code total} of the "some" or "full" line of a v2 pressure file, in seconds. */
  double pressureSeconds(String resource, String kind) {
    String line =
        v2(resource + ".pressure")
            .lines()
            .filter(l -> l.startsWith(kind + " "))
            .findFirst()
            .orElseThrow();
    for (String field : line.split(" ")) {
      if (field.startsWith("total=")) {
        return Long.parseLong(field.substring(6)) / 1e6;
      }
    }
    throw new AssertionError("no total in " + line);
  }

  /** The PIDs in the task's cgroup (v1: the memory controller's). */
  String cgroupProcsPath() {
    return v2() ? v2Path("cgroup.procs") : "/sys/fs/cgroup/memory/" + relative + "/cgroup.procs";
  }
}
