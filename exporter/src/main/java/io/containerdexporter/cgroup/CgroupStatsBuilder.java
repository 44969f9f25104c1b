package io.containerdexporter.cgroup;

import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * Collects values as a reader finds them; everything not set stays empty. Not thread-safe, one per
 * read.
 */
final class CgroupStatsBuilder {

  OptionalDouble cpuUsageSeconds = OptionalDouble.empty();
  OptionalDouble cpuUserSeconds = OptionalDouble.empty();
  OptionalDouble cpuSystemSeconds = OptionalDouble.empty();
  OptionalLong cfsPeriods = OptionalLong.empty();
  OptionalLong cfsThrottledPeriods = OptionalLong.empty();
  OptionalDouble cfsThrottledSeconds = OptionalDouble.empty();
  OptionalLong memoryUsageBytes = OptionalLong.empty();
  OptionalLong memoryWorkingSetBytes = OptionalLong.empty();
  OptionalLong memoryRssBytes = OptionalLong.empty();
  OptionalLong memoryCacheBytes = OptionalLong.empty();
  OptionalLong memorySwapBytes = OptionalLong.empty();
  OptionalLong memoryMappedFileBytes = OptionalLong.empty();
  OptionalLong memoryFailcnt = OptionalLong.empty();
  OptionalLong memoryMaxUsageBytes = OptionalLong.empty();
  OptionalLong oomKills = OptionalLong.empty();
  OptionalLong pidsCurrent = OptionalLong.empty();
  OptionalLong pidsMax = OptionalLong.empty();
  List<DeviceIo> io = List.of();
  Optional<Pressure> cpuPressure = Optional.empty();
  Optional<Pressure> memoryPressure = Optional.empty();
  Optional<Pressure> ioPressure = Optional.empty();
  OptionalLong cpuPeriodMicros = OptionalLong.empty();
  CgroupStats.MemoryDetail memoryDetail = CgroupStats.MemoryDetail.NONE;
  List<CgroupStats.Hugetlb> hugetlb = List.of();

  CgroupStats build() {
    return new CgroupStats(
        cpuUsageSeconds,
        cpuUserSeconds,
        cpuSystemSeconds,
        cfsPeriods,
        cfsThrottledPeriods,
        cfsThrottledSeconds,
        memoryUsageBytes,
        memoryWorkingSetBytes,
        memoryRssBytes,
        memoryCacheBytes,
        memorySwapBytes,
        memoryMappedFileBytes,
        memoryFailcnt,
        memoryMaxUsageBytes,
        oomKills,
        pidsCurrent,
        pidsMax,
        io,
        cpuPressure,
        memoryPressure,
        ioPressure,
        cpuPeriodMicros,
        memoryDetail,
        hugetlb);
  }

  /** Seconds from a counter in some unit, keeping emptiness. */
  static OptionalDouble seconds(OptionalLong value, double unitsPerSecond) {
    return value.isPresent()
        ? OptionalDouble.of(value.getAsLong() / unitsPerSecond)
        : OptionalDouble.empty();
  }

  /**
   * cAdvisor's working set: usage minus inactive file pages, floored at 0; just usage when the
   * kernel has no such key (certainly absent); empty when either number is unknown.
   */
  static OptionalLong workingSet(
      OptionalLong usage, Optional<FlatKeyed> stat, String inactiveKey, String inactiveFallback) {
    if (usage.isEmpty() || stat.isEmpty()) {
      return OptionalLong.empty();
    }
    FlatKeyed s = stat.get();
    if (s.absent(inactiveKey) && (inactiveFallback == null || s.absent(inactiveFallback))) {
      return usage;
    }
    OptionalLong inactive =
        inactiveFallback == null ? s.get(inactiveKey) : s.getOr(inactiveKey, inactiveFallback);
    if (inactive.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Math.max(0, usage.getAsLong() - inactive.getAsLong()));
  }

  /** A memory limit file, unlimited as 0 (see {@link CgroupParsers#parseMemoryLimit}). */
  static OptionalLong memoryLimit(CgroupDir dir, String file) throws CgroupUnreadableException {
    return CgroupDir.toOptionalLong(dir.parse(file, CgroupParsers::parseMemoryLimit));
  }

  /** A key of a flat-keyed file that may not have been read at all. */
  static OptionalLong key(Optional<FlatKeyed> file, String key) {
    return file.isPresent() ? file.get().get(key) : OptionalLong.empty();
  }
}
