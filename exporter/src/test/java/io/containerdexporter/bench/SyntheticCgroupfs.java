package io.containerdexporter.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A cgroupfs tree on disk for the synthetic node: the root cgroup and one leaf per task, every file
 * the exporter's readers read with a real kernel's shape and size (the committed fixture trees),
 * each task's counters scaled by its own factor.
 *
 * <ul>
 *   <li>{@link Layout#V1}: this host's layout (v1 "hybrid": separate {@code cpu} and {@code
 *       cpuacct} mounts, cgroup2 at {@code unified/} without controllers, no hugetlb controller, no
 *       swap accounting, blkio tables that stay {@code Total 0} because this kernel charges no
 *       block I/O), systemd cgroup driver. Taken from fixture {@code hybrid/} plus the files a real
 *       task here has and that fixture leaves out (kmem usage, soft limit, cgroup.procs, bfq
 *       tables).
 *   <li>{@link Layout#V2}: unified hierarchy, systemd driver, fixture {@code v2-systemd/} (every v2
 *       file the readers use incl. PSI, io.stat with I/O on two devices, hugetlb), plus the other
 *       names a real kernel's scope directory lists (empty here: only read by nobody, but listed
 *       when the hugetlb sizes are looked up).
 * </ul>
 */
final class SyntheticCgroupfs {

  enum Layout {
    V1,
    V2
  }

  /** The v1 controllers a task's cgroup is in, as directories under the root. */
  private static final List<String> V1_CONTROLLERS =
      List.of("cpu", "cpuacct", "memory", "pids", "blkio");

  /** v1 controllers mounted on this host that the exporter does not read: empty dirs. */
  private static final List<String> V1_OTHER = List.of("cpuset", "devices", "freezer", "systemd");

  /** Names a real kernel (6.x) lists in a v2 scope besides those the fixture holds. */
  private static final List<String> V2_OTHER_NAMES =
      List.of(
          "cgroup.freeze",
          "cgroup.kill",
          "cgroup.max.depth",
          "cgroup.max.descendants",
          "cgroup.pressure",
          "cgroup.stat",
          "cgroup.threads",
          "cgroup.type",
          "cpu.idle",
          "cpu.max.burst",
          "cpu.uclamp.max",
          "cpu.uclamp.min",
          "cpu.weight.nice",
          "cpuset.cpus",
          "cpuset.cpus.effective",
          "cpuset.cpus.exclusive",
          "cpuset.cpus.exclusive.effective",
          "cpuset.mems",
          "cpuset.mems.effective",
          "hugetlb.1GB.current",
          "hugetlb.1GB.events",
          "hugetlb.1GB.events.local",
          "hugetlb.1GB.max",
          "hugetlb.1GB.numa_stat",
          "hugetlb.1GB.rsvd.current",
          "hugetlb.1GB.rsvd.max",
          "hugetlb.2MB.events.local",
          "hugetlb.2MB.numa_stat",
          "hugetlb.2MB.rsvd.max",
          "io.prio.class",
          "io.weight",
          "irq.pressure",
          "memory.numa_stat",
          "memory.oom.group",
          "memory.reclaim",
          "memory.swap.events",
          "memory.swap.high",
          "memory.zswap.current",
          "memory.zswap.max",
          "memory.zswap.writeback",
          "misc.current",
          "misc.events",
          "misc.max",
          "pids.events",
          "rdma.current",
          "rdma.max");

  /** Files whose counters move between poll rounds (rewritten by {@link #advance}). */
  private static final Set<String> MOVING =
      Set.of(
          "cpuacct.usage",
          "cpuacct.stat",
          "cpu.stat",
          "memory.usage_in_bytes",
          "memory.current",
          "memory.stat");

  private final Path root;
  private final Layout layout;

  /** Per controller ("" on v2), file name → template. */
  private final Map<String, Map<String, String>> templates = new LinkedHashMap<>();

  SyntheticCgroupfs(Path root, Layout layout) {
    this.root = root;
    this.layout = layout;
    if (layout == Layout.V1) {
      for (String c : V1_CONTROLLERS) {
        templates.put(c, new LinkedHashMap<>(SyntheticFiles.scope("hybrid/" + c)));
      }
      Map<String, String> v1Memory = SyntheticFiles.files("/cgroupfs/v1/memory/default/c1");
      Map<String, String> memory = templates.get("memory");
      // This host accounts swap (memory.memsw.* exist), the fixture's host did not.
      memory.put(
          "memory.stat",
          memory
              .get("memory.stat")
              .replaceFirst("(?m)^(workingset_refault_file \\d+\n)", "$1swap 0\n")
              .replaceFirst("(?m)^(total_workingset_refault_file \\d+\n)", "$1total_swap 0\n"));
      memory.put("memory.kmem.usage_in_bytes", v1Memory.get("memory.kmem.usage_in_bytes"));
      memory.put("memory.soft_limit_in_bytes", "9223372036854771712\n");
      memory.put("cgroup.procs", "");
      templates.get("pids").put("cgroup.procs", "");
      Map<String, String> blkio = templates.get("blkio");
      for (String table :
          List.of(
              "blkio.bfq.io_serviced_recursive",
              "blkio.bfq.io_service_bytes_recursive",
              "blkio.bfq.io_serviced",
              "blkio.bfq.io_service_bytes")) {
        blkio.put(table, "Total 0\n");
      }
    } else {
      Map<String, String> scope = new LinkedHashMap<>(SyntheticFiles.scope("v2-systemd"));
      V2_OTHER_NAMES.forEach(n -> scope.putIfAbsent(n, ""));
      templates.put("", scope);
    }
  }

  /** Writes the root cgroup (and, on v1, the mount directories). */
  void writeRoot() {
    if (layout == Layout.V1) {
      Map<String, String> rootFiles = SyntheticFiles.files("/cgroupfs/root-v1/cpu,cpuacct");
      rootFiles.forEach(
          (name, text) ->
              SyntheticFiles.write(
                  root.resolve(name.startsWith("cpuacct.") ? "cpuacct" : "cpu").resolve(name),
                  text));
      SyntheticFiles.files("/cgroupfs/root-v1/memory")
          .forEach(
              (name, text) -> SyntheticFiles.write(root.resolve("memory").resolve(name), text));
      SyntheticFiles.write(root.resolve("pids/cgroup.procs"), "1\n");
      SyntheticFiles.write(root.resolve("blkio/blkio.throttle.io_serviced_recursive"), "Total 0\n");
      V1_OTHER.forEach(c -> SyntheticFiles.write(root.resolve(c).resolve("cgroup.procs"), "1\n"));
      SyntheticFiles.write(root.resolve("unified/cgroup.controllers"), "");
    } else {
      SyntheticFiles.files("/cgroupfs/root-v2")
          .forEach((name, text) -> SyntheticFiles.write(root.resolve(name), text));
    }
  }

  /**
   * Writes the cgroup of one task: {@code cgroupPath} as the exporter resolves it from the spec,
   * {@code pids} its processes, {@code factor} its scale.
   */
  void writeTask(String cgroupPath, List<Long> pids, double factor) {
    write(cgroupPath, pids, factor, name -> true);
  }

  /** Rewrites the counters that move ({@link #MOVING}) with a new factor. */
  void advance(String cgroupPath, List<Long> pids, double factor) {
    write(cgroupPath, pids, factor, MOVING::contains);
  }

  private void write(
      String cgroupPath,
      List<Long> pids,
      double factor,
      java.util.function.Predicate<String> which) {
    String relative = cgroupPath.substring(1);
    templates.forEach(
        (controller, files) -> {
          Path dir =
              controller.isEmpty()
                  ? root.resolve(relative)
                  : root.resolve(controller).resolve(relative);
          files.forEach(
              (name, template) -> {
                if (which.test(name)) {
                  SyntheticFiles.write(dir.resolve(name), text(name, template, pids, factor));
                }
              });
        });
  }

  private static String text(String name, String template, List<Long> pids, double factor) {
    if (name.equals("cgroup.procs") || name.equals("tasks")) {
      StringBuilder procs = new StringBuilder();
      pids.forEach(p -> procs.append(p).append('\n'));
      return procs.toString();
    }
    if (name.equals("pids.current")) {
      return pids.size() + "\n";
    }
    return SyntheticFiles.scaled(template, factor);
  }
}
