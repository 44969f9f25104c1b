package io.containerdexporter.cgroup;

import static io.containerdexporter.cgroup.CgroupStatsBuilder.key;
import static io.containerdexporter.cgroup.CgroupStatsBuilder.seconds;

import io.containerdexporter.metrics.ReadErrors;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a cgroup of the unified (v2) hierarchy: {@code <root>/<cgroupPath>/}. Files and their
 * meaning follow libcontainer's fs2 manager (opencontainers/cgroups {@code fs2/}) as cAdvisor maps
 * them into its metrics (google/cadvisor {@code lib/container/libcontainer/handler.go}):
 *
 * <ul>
 *   <li>cpu.stat: usage_usec, user_usec, system_usec, nr_periods, nr_throttled, throttled_usec (the
 *       last three only with the cpu controller enabled); cpu.max's period;
 *   <li>memory.current (usage), memory.peak (max usage, kernel 5.19+), memory.stat anon (rss), file
 *       (cache), file_mapped, inactive_file (working set = usage − inactive_file),
 *       memory.swap.current (swap), memory.events max (failcnt) and oom_kill;
 *   <li>pids.current and pids.max ("max" = 0); without the pids controller, the lines of
 *       cgroup.procs and 0, as libcontainer does;
 *   <li>io.stat; cpu.pressure, memory.pressure, io.pressure (PSI totals in seconds).
 * </ul>
 */
public final class CgroupV2Reader implements CgroupReader {

  private final Path root;
  private final ReadErrors errors;
  private final CgroupReadFailures failures;
  private final CgroupDir.Opener opener;
  private final HugetlbFiles hugetlbFiles = HugetlbFiles.v2();

  public CgroupV2Reader(Path root, ReadErrors errors, CgroupReadFailures failures) {
    this(root, errors, failures, CgroupDir.Opener.FILES);
  }

  /** With a stand-in for opening files, for tests of the failures no fixture tree can show. */
  CgroupV2Reader(
      Path root, ReadErrors errors, CgroupReadFailures failures, CgroupDir.Opener opener) {
    this.root = root;
    this.errors = errors;
    this.failures = failures;
    this.opener = opener;
  }

  @Override
  public boolean unified() {
    return true;
  }

  @Override
  public CgroupRead read(String cgroupPath) {
    try {
      CgroupDir.TaskDirs task = new CgroupDir.TaskDirs();
      Optional<CgroupDir> found = dir(cgroupPath, task);
      if (found.isEmpty()) {
        return CgroupRead.ABSENT;
      }
      CgroupDir dir = found.get();
      CgroupStatsBuilder b = new CgroupStatsBuilder();
      readCpu(dir, b);
      readMemory(dir, b);
      readPids(dir, b);
      b.io = dir.parse("io.stat", CgroupParsers::parseIoStat).orElse(List.of());
      b.cpuPressure = dir.parse("cpu.pressure", CgroupParsers::parsePressure);
      b.memoryPressure = dir.parse("memory.pressure", CgroupParsers::parsePressure);
      b.ioPressure = dir.parse("io.pressure", CgroupParsers::parsePressure);
      if (!task.anyFound()) {
        return CgroupRead.ABSENT;
      }
      b.hugetlb = hugetlbFiles.readV2(dir);
      return CgroupRead.of(b.build());
    } catch (CgroupUnreadableException e) {
      failures.record(cgroupPath, e);
      return CgroupRead.failed(e.reason());
    }
  }

  @Override
  public OptionalLong oomKills(String cgroupPath) {
    try {
      Optional<CgroupDir> dir = dir(cgroupPath, new CgroupDir.TaskDirs());
      return dir.isEmpty()
          ? OptionalLong.empty()
          : key(dir.get().flat("memory.events"), "oom_kill");
    } catch (CgroupUnreadableException e) {
      failures.record(cgroupPath, e);
      return OptionalLong.empty();
    }
  }

  @Override
  public Optional<List<Long>> processes(String cgroupPath) {
    try {
      Optional<CgroupDir> dir = dir(cgroupPath, new CgroupDir.TaskDirs());
      return dir.isEmpty()
          ? Optional.empty()
          : dir.get().parse("cgroup.procs", CgroupParsers::parseProcesses);
    } catch (CgroupUnreadableException e) {
      failures.record(cgroupPath, e);
      return Optional.empty();
    }
  }

  /**
   * The task's cgroup directory, found when its first file is read ({@link CgroupDir#lazy}); empty
   * when its path is unusable.
   */
  private Optional<CgroupDir> dir(String cgroupPath, CgroupDir.TaskDirs task) {
    Optional<String> relative = CgroupReaders.relative(cgroupPath);
    if (relative.isEmpty()) {
      return Optional.empty();
    }
    Path path;
    try {
      path = root.resolve(relative.get());
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
    return Optional.of(CgroupDir.lazy(path, errors, opener, AbsentFiles.NONE, task));
  }

  private static void readCpu(CgroupDir dir, CgroupStatsBuilder b)
      throws CgroupUnreadableException {
    Optional<FlatKeyed> stat = dir.flat("cpu.stat");
    b.cpuUsageSeconds = seconds(key(stat, "usage_usec"), 1e6);
    b.cpuUserSeconds = seconds(key(stat, "user_usec"), 1e6);
    b.cpuSystemSeconds = seconds(key(stat, "system_usec"), 1e6);
    b.cfsPeriods = key(stat, "nr_periods");
    b.cfsThrottledPeriods = key(stat, "nr_throttled");
    b.cfsThrottledSeconds = seconds(key(stat, "throttled_usec"), 1e6);
    // Not at the root (the kernel has no cpu.max there), nor without the cpu controller: then
    // empty.
    b.cpuPeriodMicros =
        CgroupDir.toOptionalLong(dir.parse("cpu.max", CgroupParsers::parseCpuMaxPeriod));
  }

  private static void readMemory(CgroupDir dir, CgroupStatsBuilder b)
      throws CgroupUnreadableException {
    b.memoryUsageBytes = dir.value("memory.current");
    b.memoryMaxUsageBytes = dir.value("memory.peak");
    Optional<FlatKeyed> stat = dir.flat("memory.stat");
    b.memoryRssBytes = key(stat, "anon");
    b.memoryCacheBytes = key(stat, "file");
    b.memoryMappedFileBytes = key(stat, "file_mapped");
    b.memoryWorkingSetBytes =
        CgroupStatsBuilder.workingSet(b.memoryUsageBytes, stat, "inactive_file", null);
    // libcontainer reports swap as memory.swap.current + memory.current, and cAdvisor subtracts
    // memory.current
    // again: the result is memory.swap.current.
    b.memorySwapBytes = dir.value("memory.swap.current");
    Optional<FlatKeyed> events = dir.flat("memory.events");
    b.memoryFailcnt = key(events, "max");
    b.oomKills = key(events, "oom_kill");
    // v2 counts page faults hierarchically only: both of cAdvisor's scopes read the same count.
    b.memoryDetail =
        new CgroupStats.MemoryDetail(
            key(stat, "kernel"),
            key(stat, "active_file"),
            key(stat, "inactive_file"),
            key(stat, "pgfault"),
            key(stat, "pgmajfault"),
            key(stat, "pgfault"),
            key(stat, "pgmajfault"),
            key(events, "high"),
            key(events, "max"),
            CgroupStatsBuilder.memoryLimit(dir, "memory.low"));
  }

  private static void readPids(CgroupDir dir, CgroupStatsBuilder b)
      throws CgroupUnreadableException {
    Optional<String> current = dir.read("pids.current");
    if (current.isPresent()) {
      b.pidsCurrent =
          CgroupDir.toOptionalLong(
              dir.parse("pids.current", current.get(), CgroupParsers::parseValue));
      b.pidsMax = dir.limit("pids.max");
      return;
    }
    // No pids controller for this cgroup: libcontainer then counts the processes in cgroup.procs,
    // with no limit.
    Optional<Long> procs = dir.parse("cgroup.procs", CgroupParsers::countProcesses);
    if (procs.isPresent()) {
      b.pidsCurrent = OptionalLong.of(procs.get());
      b.pidsMax = OptionalLong.of(0);
    }
  }
}
