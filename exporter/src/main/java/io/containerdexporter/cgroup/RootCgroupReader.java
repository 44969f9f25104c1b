package io.containerdexporter.cgroup;

import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The root cgroup ("/"), cAdvisor's machine-wide container behind {@code id="/"} (dashboard 13105's
 * node panels). On cgroup v1 the root has every file the reader needs (cpuacct.usage,
 * memory.usage_in_bytes, memory.stat). On cgroup v2 it has cpu.stat and memory.stat but no
 * memory.current; there, like libcontainer's fs2 manager (opencontainers/ cgroups {@code
 * fs2/memory.go} rootStatsFromMeminfo), which cAdvisor uses:
 *
 * <ul>
 *   <li>memory usage = memory.stat anon + file (what v1's usage_in_bytes counts);
 *   <li>working set = that usage − inactive_file, floored at 0 (cAdvisor's rule for every
 *       container);
 *   <li>swap = (SwapTotal − SwapFree) from {@code <procfs>/meminfo}: libcontainer's mem+swap, minus
 *       the usage again in cAdvisor.
 * </ul>
 *
 * Nothing of this when the root memory.stat cannot be read (libcontainer would fail the memory
 * stats then). Not MemTotal − MemAvailable: that is node_exporter's "used", not what cAdvisor
 * reports for "/".
 */
public final class RootCgroupReader {

  /** The root's cgroup path, and its {@code id} label. */
  public static final String ROOT = "/";

  /** The host's meminfo under procfs, and its {@code file} label when unusable. */
  static final String MEMINFO = "meminfo";

  private final Path cgroupfs;
  private final Path procfs;
  private final CgroupReader reader;
  private final ReadErrors errors;

  /**
   * For the second read of the root memory.stat: the reader has already counted (and logged) what
   * is wrong with it.
   */
  private final ReadErrors alreadyCounted;

  /**
   * @param cgroupfs where the hierarchy is mounted (as given to {@link CgroupReaders#detect})
   * @param procfs where the host's procfs is mounted
   * @param reader the reader for {@code cgroupfs}
   */
  public RootCgroupReader(Path cgroupfs, Path procfs, CgroupReader reader, ReadErrors errors) {
    this.cgroupfs = cgroupfs;
    this.procfs = procfs;
    this.reader = reader;
    this.errors = errors;
    this.alreadyCounted = new ReadErrors("cgroup", errors.family());
  }

  /**
   * The root's stats; empty when the hierarchy is not there or could not be read (the latter
   * counted by the reader). Never throws for anything a file contains.
   */
  public Optional<CgroupStats> read() {
    Optional<CgroupStats> stats = reader.read(ROOT).stats();
    if (stats.isEmpty() || !reader.unified() || stats.get().memoryUsageBytes().isPresent()) {
      return stats;
    }
    // One read for anon, file and inactive_file together, so the three are of the same moment.
    Optional<FlatKeyed> stat;
    try {
      Optional<CgroupDir> root = CgroupDir.open(cgroupfs, alreadyCounted, CgroupDir.Opener.FILES);
      stat = root.isEmpty() ? Optional.empty() : root.get().flat("memory.stat");
    } catch (CgroupUnreadableException e) {
      // The reader read this very file a moment ago, and the root cgroup never goes away: the
      // stats as read, without the derived memory.
      return stats;
    }
    OptionalLong anon = CgroupStatsBuilder.key(stat, "anon");
    OptionalLong file = CgroupStatsBuilder.key(stat, "file");
    if (anon.isEmpty() || file.isEmpty()) {
      return stats;
    }
    OptionalLong usage = OptionalLong.of(anon.getAsLong() + file.getAsLong());
    OptionalLong workingSet = CgroupStatsBuilder.workingSet(usage, stat, "inactive_file", null);
    OptionalLong swap =
        stats.get().memorySwapBytes().isPresent() ? stats.get().memorySwapBytes() : meminfoSwap();
    CgroupStats s = stats.get();
    return Optional.of(
        new CgroupStats(
            s.cpuUsageSeconds(),
            s.cpuUserSeconds(),
            s.cpuSystemSeconds(),
            s.cfsPeriods(),
            s.cfsThrottledPeriods(),
            s.cfsThrottledSeconds(),
            usage,
            workingSet,
            s.memoryRssBytes(),
            s.memoryCacheBytes(),
            swap,
            s.memoryMappedFileBytes(),
            s.memoryFailcnt(),
            s.memoryMaxUsageBytes(),
            s.oomKills(),
            s.pidsCurrent(),
            s.pidsMax(),
            s.io(),
            s.cpuPressure(),
            s.memoryPressure(),
            s.ioPressure(),
            s.cpuPeriodMicros(),
            s.memoryDetail(),
            s.hugetlb()));
  }

  /**
   * (SwapTotal − SwapFree) × 1024 from meminfo; empty when either is missing or unusable (the
   * latter counted).
   */
  OptionalLong meminfoSwap() {
    Path file = procfs.resolve(MEMINFO);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.ISO_8859_1);
    } catch (NoSuchFileException e) {
      return OptionalLong.empty();
    } catch (IOException e) {
      errors.record(MEMINFO, file, e.toString());
      return OptionalLong.empty();
    }
    Map<String, Long> kb = parseMeminfo(text);
    Long total = kb.get("SwapTotal");
    Long free = kb.get("SwapFree");
    if (total == null || free == null || free > total || total > Long.MAX_VALUE / 1024) {
      errors.record(MEMINFO, file, "no usable SwapTotal/SwapFree");
      return OptionalLong.empty();
    }
    return OptionalLong.of((total - free) * 1024);
  }

  /**
   * "Key: value kB" lines; lines that are not are skipped, a key whose value is not a count is left
   * out.
   */
  static Map<String, Long> parseMeminfo(String text) {
    Map<String, Long> out = new HashMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0) {
        continue;
      }
      String value = line.substring(colon + 1).trim();
      if (value.endsWith(" kB")) {
        value = value.substring(0, value.length() - 3).trim();
      }
      try {
        out.put(line.substring(0, colon), CgroupParsers.parseCount(value));
      } catch (MalformedCgroupFileException e) {
        // not a key we use, or one we then report missing
      }
    }
    return out;
  }
}
