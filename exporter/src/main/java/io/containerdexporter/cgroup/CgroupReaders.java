package io.containerdexporter.cgroup;

import io.containerdexporter.metrics.ReadErrors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Picks the reader for the host's cgroup layout. */
public final class CgroupReaders {

  private CgroupReaders() {}

  /**
   * cgroup v2 when the root itself is a cgroup2 mount (it has {@code cgroup.controllers});
   * otherwise v1, which also covers "hybrid" hosts where cgroup2 sits at {@code <root>/unified}
   * without the controllers we read. This is what cAdvisor does too: libcontainer's
   * IsCgroup2UnifiedMode looks only at the root mount.
   *
   * @param root where the hierarchy is mounted (the host's /sys/fs/cgroup, or a fixture tree)
   * @param errors where malformed files are counted
   * @param failures where reads given up (unreadable, vanished) are counted
   */
  public static CgroupReader detect(Path root, ReadErrors errors, CgroupReadFailures failures) {
    return Files.exists(root.resolve("cgroup.controllers"))
        ? new CgroupV2Reader(root, errors, failures)
        : new CgroupV1Reader(root, errors, failures);
  }

  /**
   * The cgroup path relative to a hierarchy root: leading slashes dropped, "/" becoming "". Empty
   * for a path that is empty, or could leave the root ("..", "."), or holds a NUL: it comes from a
   * container's spec, which we do not trust to point inside /sys/fs/cgroup.
   */
  static Optional<String> relative(String cgroupPath) {
    if (cgroupPath == null || cgroupPath.isEmpty() || cgroupPath.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    // By hand rather than by regex and split: every reader call of every task comes here.
    int from = 0;
    while (from < cgroupPath.length() && cgroupPath.charAt(from) == '/') {
      from++;
    }
    String relative = cgroupPath.substring(from);
    int start = 0;
    while (true) {
      int end = relative.indexOf('/', start);
      int segmentEnd = end < 0 ? relative.length() : end;
      int length = segmentEnd - start;
      if ((length == 1 || length == 2) && relative.startsWith("..".substring(0, length), start)) {
        return Optional.empty(); // "." or ".."
      }
      if (end < 0) {
        return Optional.of(relative);
      }
      start = end + 1;
    }
  }
}
