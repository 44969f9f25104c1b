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
    String relative = cgroupPath.replaceFirst("^/+", "");
    for (String segment : relative.split("/", -1)) {
      if (segment.equals("..") || segment.equals(".")) {
        return Optional.empty();
      }
    }
    return Optional.of(relative);
  }
}
