package io.containerdexporter.cgroup;

import static io.containerdexporter.cgroup.CgroupStatsBuilder.key;
import static io.containerdexporter.cgroup.CgroupStatsBuilder.seconds;

import io.containerdexporter.cgroup.CgroupParsers.BlkioEntry;
import io.containerdexporter.metrics.ReadErrors;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads a cgroup of the v1 hierarchies: {@code <root>/<controller>/<cgroupPath>/}, also on "hybrid"
 * hosts (cgroup2 at {@code <root>/unified} holds none of the controllers read here). Files and
 * their meaning follow libcontainer's fs manager (opencontainers/cgroups {@code fs/}) as cAdvisor
 * maps them into its metrics (google/cadvisor {@code lib/container/libcontainer/handler.go}):
 *
 * <ul>
 *   <li>cpuacct.usage (ns), cpuacct.stat user/system (USER_HZ ticks), cpu.stat nr_periods,
 *       nr_throttled, throttled_time (ns), cpu.cfs_period_us (µs);
 *   <li>memory.usage_in_bytes, memory.max_usage_in_bytes, memory.failcnt, memory.oom_control
 *       oom_kill, and memory.stat: with memory.use_hierarchy 1 (always, on kernels since 5.x) the
 *       hierarchical total_rss, total_cache, total_mapped_file, total_swap (each falling back to
 *       its plain key if a kernel lacks the total_), with use_hierarchy 0 the plain keys, as
 *       cAdvisor does; working set = usage − total_inactive_file;
 *   <li>pids.current, pids.max ("max" = 0);
 *   <li>blkio: the first table family libcontainer finds with devices in it, see {@link
 *       #BLKIO_FAMILIES}.
 * </ul>
 *
 * <p>Controllers may be co-mounted ({@code cpu,cpuacct}, with {@code cpu} and {@code cpuacct}
 * symlinks on most distributions, or separate mounts); each controller's directory is looked up
 * once, here, at construction.
 */
public final class CgroupV1Reader implements CgroupReader {

  /**
   * libcontainer's blkio order (opencontainers/cgroups {@code fs/blkio.go} GetStats): BFQ tables,
   * then CFQ, then the throttle tables, recursive before not; a family is used when its first table
   * exists and lists a device (a table with only "Total 0" does not count). Of each family we need
   * the serviced (ops) and service_bytes tables; the serviced one stands in for the family's first
   * table, which holds devices exactly when it does.
   */
  static final List<List<String>> BLKIO_FAMILIES =
      List.of(
          List.of("blkio.bfq.io_serviced_recursive", "blkio.bfq.io_service_bytes_recursive"),
          List.of("blkio.io_serviced_recursive", "blkio.io_service_bytes_recursive"),
          List.of(
              "blkio.throttle.io_serviced_recursive", "blkio.throttle.io_service_bytes_recursive"),
          List.of("blkio.throttle.io_serviced", "blkio.throttle.io_service_bytes"));

  private final Path cpu;
  private final Path cpuacct;
  private final Path memory;
  private final Path pids;
  private final Path blkio;
  private final Path hugetlb;
  private final ReadErrors errors;
  private final CgroupReadFailures failures;
  private final CgroupDir.Opener opener;
  private final HugetlbFiles hugetlbFiles = HugetlbFiles.v1();

  /** Per mount directory (co-mounted controllers share one): the names its cgroups lack. */
  private final Map<Path, AbsentFiles> absent = new HashMap<>();

  public CgroupV1Reader(Path root, ReadErrors errors, CgroupReadFailures failures) {
    this(root, errors, failures, CgroupDir.Opener.FILES);
  }

  /** With a stand-in for opening files, for tests of the failures no fixture tree can show. */
  CgroupV1Reader(
      Path root, ReadErrors errors, CgroupReadFailures failures, CgroupDir.Opener opener) {
    this.cpu = controller(root, "cpu", "cpu,cpuacct", "cpuacct,cpu");
    this.cpuacct = controller(root, "cpuacct", "cpu,cpuacct", "cpuacct,cpu");
    this.memory = controller(root, "memory");
    this.pids = controller(root, "pids");
    this.blkio = controller(root, "blkio");
    this.hugetlb = controller(root, "hugetlb");
    this.errors = errors;
    this.failures = failures;
    this.opener = opener;
    for (Path mount : Arrays.asList(cpu, cpuacct, memory, pids, blkio, hugetlb)) {
      if (mount != null) {
        absent.computeIfAbsent(mount, m -> AbsentFiles.v1());
      }
    }
  }

  /** The first candidate mount directory that exists; null when the controller is not mounted. */
  private static Path controller(Path root, String... candidates) {
    for (String candidate : candidates) {
      Path dir = root.resolve(candidate);
      if (Files.isDirectory(dir)) {
        return dir;
      }
    }
    return null;
  }

  @Override
  public boolean unified() {
    return false;
  }

  /**
   * A controller without the task's cgroup when its first file is read is skipped (its values
   * empty); the task is absent when none of cpu, cpuacct, memory, pids and blkio has it. One that
   * was there and goes while it is read, or is missing when the task's directory found first has
   * gone too, makes the whole read {@link CgroupFailure#VANISHED}.
   */
  @Override
  public CgroupRead read(String cgroupPath) {
    Optional<String> relative = CgroupReaders.relative(cgroupPath);
    if (relative.isEmpty()) {
      return CgroupRead.ABSENT;
    }
    try {
      // The task's directories are found by reading their files, not by a stat each first.
      CgroupDir.TaskDirs task = new CgroupDir.TaskDirs();
      CgroupDir cpuDir = lazyDir(cpu, relative.get(), task);
      CgroupDir cpuacctDir = lazyDir(cpuacct, relative.get(), task);
      CgroupDir memoryDir = lazyDir(memory, relative.get(), task);
      CgroupDir pidsDir = lazyDir(pids, relative.get(), task);
      CgroupDir blkioDir = lazyDir(blkio, relative.get(), task);
      CgroupStatsBuilder b = new CgroupStatsBuilder();
      if (cpuacctDir != null) {
        readCpuacct(cpuacctDir, b);
      }
      if (cpuDir != null) {
        readCpu(cpuDir, b);
      }
      if (memoryDir != null) {
        readMemory(memoryDir, b);
      }
      if (pidsDir != null) {
        b.pidsCurrent = pidsDir.value("pids.current");
        b.pidsMax = pidsDir.limit("pids.max");
      }
      if (blkioDir != null) {
        b.io = readBlkio(blkioDir);
      }
      if (!task.anyFound()) {
        return CgroupRead.ABSENT;
      }
      CgroupDir hugetlbDir = dir(hugetlb, relative.get()); // looked at first: its files are listed
      if (hugetlbDir != null) {
        b.hugetlb = hugetlbFiles.readV1(hugetlbDir);
      }
      return CgroupRead.of(b.build());
    } catch (CgroupUnreadableException e) {
      failures.record(cgroupPath, e);
      return CgroupRead.failed(e.reason());
    } catch (InvalidPathException e) {
      return CgroupRead.ABSENT;
    }
  }

  @Override
  public OptionalLong oomKills(String cgroupPath) {
    Optional<String> relative = CgroupReaders.relative(cgroupPath);
    if (relative.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      CgroupDir memoryDir = lazyDir(memory, relative.get(), new CgroupDir.TaskDirs());
      return memoryDir == null ? OptionalLong.empty() : oomKills(memoryDir);
    } catch (CgroupUnreadableException e) {
      failures.record(cgroupPath, e);
      return OptionalLong.empty();
    } catch (InvalidPathException e) {
      return OptionalLong.empty();
    }
  }

  @Override
  public Optional<List<Long>> processes(String cgroupPath) {
    Optional<String> relative = CgroupReaders.relative(cgroupPath);
    if (relative.isEmpty()) {
      return Optional.empty();
    }
    try {
      CgroupDir dir =
          lazyDir(
              pids != null ? pids : memory != null ? memory : cpu,
              relative.get(),
              new CgroupDir.TaskDirs());
      return dir == null
          ? Optional.empty()
          : dir.parse("cgroup.procs", CgroupParsers::parseProcesses);
    } catch (CgroupUnreadableException e) {
      failures.record(cgroupPath, e);
      return Optional.empty();
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  private static OptionalLong oomKills(CgroupDir memoryDir) throws CgroupUnreadableException {
    return key(memoryDir.flat("memory.oom_control"), "oom_kill");
  }

  /**
   * The task's directory under one controller; null when the controller is not mounted or has no
   * such cgroup.
   */
  private CgroupDir dir(Path controllerRoot, String relative) throws CgroupUnreadableException {
    return controllerRoot == null
        ? null
        : CgroupDir.open(
                controllerRoot.resolve(relative), errors, opener, absent(controllerRoot, relative))
            .orElse(null);
  }

  /**
   * The task's directory under one controller, found when its first file is read ({@link
   * CgroupDir#lazy}); null when the controller is not mounted.
   */
  private CgroupDir lazyDir(Path controllerRoot, String relative, CgroupDir.TaskDirs task) {
    return controllerRoot == null
        ? null
        : CgroupDir.lazy(
            controllerRoot.resolve(relative),
            errors,
            opener,
            absent(controllerRoot, relative),
            task);
  }

  private AbsentFiles absent(Path controllerRoot, String relative) {
    // The root lacks files every other cgroup has (pids.current, memory.failcnt...).
    return relative.isEmpty() ? AbsentFiles.NONE : absent.get(controllerRoot);
  }

  private static void readCpuacct(CgroupDir dir, CgroupStatsBuilder b)
      throws CgroupUnreadableException {
    b.cpuUsageSeconds = seconds(dir.value("cpuacct.usage"), 1e9);
    Optional<FlatKeyed> stat = dir.flat("cpuacct.stat");
    b.cpuUserSeconds = seconds(key(stat, "user"), CgroupParsers.USER_HZ);
    b.cpuSystemSeconds = seconds(key(stat, "system"), CgroupParsers.USER_HZ);
  }

  private static void readCpu(CgroupDir dir, CgroupStatsBuilder b)
      throws CgroupUnreadableException {
    Optional<FlatKeyed> stat = dir.flat("cpu.stat");
    b.cfsPeriods = key(stat, "nr_periods");
    b.cfsThrottledPeriods = key(stat, "nr_throttled");
    b.cfsThrottledSeconds = seconds(key(stat, "throttled_time"), 1e9);
    b.cpuPeriodMicros = dir.value("cpu.cfs_period_us");
  }

  private static void readMemory(CgroupDir dir, CgroupStatsBuilder b)
      throws CgroupUnreadableException {
    b.memoryUsageBytes = dir.value("memory.usage_in_bytes");
    b.memoryMaxUsageBytes = dir.value("memory.max_usage_in_bytes");
    b.memoryFailcnt = dir.value("memory.failcnt");
    b.oomKills = oomKills(dir);
    Optional<FlatKeyed> stat = dir.flat("memory.stat");
    if (stat.isPresent()) {
      FlatKeyed s = stat.get();
      // cAdvisor: total_* when use_hierarchy is on (libcontainer reads memory.use_hierarchy == 1),
      // plain keys when
      // off. A file we cannot read counts as on: the kernel has forced it on since 5.x and
      // deprecated the knob.
      OptionalLong useHierarchy = dir.value("memory.use_hierarchy");
      boolean hierarchical = useHierarchy.isEmpty() || useHierarchy.getAsLong() != 0;
      b.memoryRssBytes = hierarchical ? s.getOr("total_rss", "rss") : s.get("rss");
      b.memoryCacheBytes = hierarchical ? s.getOr("total_cache", "cache") : s.get("cache");
      b.memoryMappedFileBytes =
          hierarchical ? s.getOr("total_mapped_file", "mapped_file") : s.get("mapped_file");
      // cAdvisor takes v1 swap from memory.stat (total_swap), not from memory.memsw.usage_in_bytes
      // − usage: one
      // consistent snapshot instead of two reads that can disagree (and go negative). Absent
      // without swap accounting.
      b.memorySwapBytes = hierarchical ? s.getOr("total_swap", "swap") : s.get("swap");
      b.memoryDetail =
          new CgroupStats.MemoryDetail(
              dir.value("memory.kmem.usage_in_bytes"),
              hierarchical ? s.getOr("total_active_file", "active_file") : s.get("active_file"),
              hierarchical
                  ? s.getOr("total_inactive_file", "inactive_file")
                  : s.get("inactive_file"),
              s.get("pgfault"),
              s.get("pgmajfault"),
              s.getOr("total_pgfault", "pgfault"),
              s.getOr("total_pgmajfault", "pgmajfault"),
              OptionalLong.empty(),
              OptionalLong.empty(),
              CgroupStatsBuilder.memoryLimit(dir, "memory.soft_limit_in_bytes"));
    }
    // cAdvisor subtracts total_inactive_file whatever use_hierarchy says.
    b.memoryWorkingSetBytes =
        CgroupStatsBuilder.workingSet(
            b.memoryUsageBytes, stat, "total_inactive_file", "inactive_file");
  }

  private static List<CgroupStats.DeviceIo> readBlkio(CgroupDir dir)
      throws CgroupUnreadableException {
    for (List<String> family : BLKIO_FAMILIES) {
      Optional<List<BlkioEntry>> serviced = dir.parse(family.get(0), CgroupParsers::parseBlkio);
      if (serviced.isEmpty() || serviced.get().isEmpty()) {
        continue; // absent, only "Total 0", or unusable (counted): libcontainer moves on to the
        // next family
      }
      // libcontainer fails the whole blkio read when a later table of the chosen family is missing
      // or bad; we
      // report no I/O for the task rather than a half-filled row.
      Optional<List<BlkioEntry>> bytes = dir.parse(family.get(1), CgroupParsers::parseBlkio);
      return bytes.isEmpty() ? List.of() : CgroupParsers.combineBlkio(bytes.get(), serviced.get());
    }
    return List.of();
  }
}
