package io.containerdexporter.cgroup;

import io.containerdexporter.cgroup.CgroupStats.Hugetlb;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The hugetlb controller's files of one cgroup, one set per huge page size the kernel has. The
 * sizes are found by listing the directory ({@code hugetlb.2MB.*}, {@code hugetlb.1GB.*}): they
 * differ per architecture and boot options, and a cgroup without the controller lists none.
 */
final class HugetlbFiles {

  private HugetlbFiles() {}

  /** v1: usage_in_bytes, max_usage_in_bytes, failcnt. */
  static List<Hugetlb> v1(CgroupDir dir) throws CgroupUnreadableException {
    List<Hugetlb> pages = new ArrayList<>();
    for (String size : sizes(dir, ".usage_in_bytes")) {
      String prefix = "hugetlb." + size;
      OptionalLong usage = dir.value(prefix + ".usage_in_bytes");
      OptionalLong failcnt = dir.value(prefix + ".failcnt");
      if (usage.isPresent() && failcnt.isPresent()) {
        pages.add(
            new Hugetlb(
                size,
                usage.getAsLong(),
                dir.value(prefix + ".max_usage_in_bytes"),
                failcnt.getAsLong()));
      }
    }
    return pages;
  }

  /**
   * v2: current, and the "max" count of hugetlb.SIZE.events (allocations refused at the limit, v1's
   * failcnt); v2 keeps no peak.
   */
  static List<Hugetlb> v2(CgroupDir dir) throws CgroupUnreadableException {
    List<Hugetlb> pages = new ArrayList<>();
    for (String size : sizes(dir, ".current")) {
      String prefix = "hugetlb." + size;
      OptionalLong usage = dir.value(prefix + ".current");
      OptionalLong failcnt = CgroupStatsBuilder.key(dir.flat(prefix + ".events"), "max");
      if (usage.isPresent() && failcnt.isPresent()) {
        pages.add(new Hugetlb(size, usage.getAsLong(), OptionalLong.empty(), failcnt.getAsLong()));
      }
    }
    return pages;
  }

  /** "2MB" from "hugetlb.2MB.current"; v2's hugetlb.2MB.rsvd.current is not a size of its own. */
  private static List<String> sizes(CgroupDir dir, String suffix) throws CgroupUnreadableException {
    return dir.names("hugetlb.*" + suffix).stream()
        .map(n -> n.substring("hugetlb.".length(), n.length() - suffix.length()))
        .filter(size -> !size.contains("."))
        .toList();
  }
}
