package io.containerdexporter.cgroup;

import io.containerdexporter.cgroup.CgroupStats.Hugetlb;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The hugetlb controller's files of one cgroup, one set per huge page size the kernel has. The
 * sizes are found by listing a directory ({@code hugetlb.2MB.*}, {@code hugetlb.1GB.*}): they
 * differ per architecture and boot options, and a cgroup without the controller lists none.
 *
 * <p>The sizes are the kernel's huge page states, fixed at boot, and every cgroup with the
 * controller has one set of files per size: so they are listed only until a cgroup shows some, then
 * kept (listing a v2 cgroup's ~60 files for every task was the costliest part of its read). Whether
 * a v2 cgroup has the controller at all is its {@code cgroup.controllers} (its parent's {@code
 * subtree_control}), one small file instead of a listing.
 */
final class HugetlbFiles {

  private final String suffix;

  /** The page sizes, sorted by file name; empty until a listing found some. */
  private volatile List<String> sizes = List.of();

  private HugetlbFiles(String suffix) {
    this.suffix = suffix;
  }

  /** For v1's files: usage_in_bytes, max_usage_in_bytes, failcnt. */
  static HugetlbFiles v1() {
    return new HugetlbFiles(".usage_in_bytes");
  }

  /** For v2's files: current, events. */
  static HugetlbFiles v2() {
    return new HugetlbFiles(".current");
  }

  /** v1: usage_in_bytes, max_usage_in_bytes, failcnt. */
  List<Hugetlb> readV1(CgroupDir dir) throws CgroupUnreadableException {
    List<Hugetlb> pages = new ArrayList<>();
    for (String size : sizes(dir)) {
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
   * failcnt); v2 keeps no peak. Nothing when the cgroup's controllers do not include hugetlb.
   */
  List<Hugetlb> readV2(CgroupDir dir) throws CgroupUnreadableException {
    if (!dir.read("cgroup.controllers").map(HugetlbFiles::listsHugetlb).orElse(false)) {
      return List.of();
    }
    List<Hugetlb> pages = new ArrayList<>();
    for (String size : sizes(dir)) {
      String prefix = "hugetlb." + size;
      OptionalLong usage = dir.value(prefix + ".current");
      OptionalLong failcnt = CgroupStatsBuilder.key(dir.flat(prefix + ".events"), "max");
      if (usage.isPresent() && failcnt.isPresent()) {
        pages.add(new Hugetlb(size, usage.getAsLong(), OptionalLong.empty(), failcnt.getAsLong()));
      }
    }
    return pages;
  }

  /** "cpuset cpu io memory hugetlb pids rdma misc\n": space-separated controller names. */
  static boolean listsHugetlb(String controllers) {
    for (String name : controllers.strip().split(" ")) {
      if (name.equals("hugetlb")) {
        return true;
      }
    }
    return false;
  }

  /** The kept sizes, or those this directory lists (kept when there are some). */
  private List<String> sizes(CgroupDir dir) throws CgroupUnreadableException {
    List<String> known = sizes;
    if (!known.isEmpty()) {
      return known;
    }
    List<String> listed = listedSizes(dir);
    if (!listed.isEmpty()) {
      sizes = listed;
    }
    return listed;
  }

  /** "2MB" from "hugetlb.2MB.current"; v2's hugetlb.2MB.rsvd.current is not a size of its own. */
  private List<String> listedSizes(CgroupDir dir) throws CgroupUnreadableException {
    return dir.names("hugetlb.*" + suffix).stream()
        .map(n -> n.substring("hugetlb.".length(), n.length() - suffix.length()))
        .filter(size -> !size.contains("."))
        .toList();
  }
}
