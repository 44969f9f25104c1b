package io.containerdexporter.cgroup;

import java.util.Optional;

/**
 * What reading one task's cgroup gave: its stats; nothing because the cgroup is not there (the task
 * has none on this host, or it was gone before the read began: not an error); or nothing because
 * the read failed (counted in {@link CgroupReadFailures}).
 */
public record CgroupRead(Optional<CgroupStats> stats, Optional<CgroupFailure> failure) {

  /** The cgroup is not there, or its path is unusable. */
  public static final CgroupRead ABSENT = new CgroupRead(Optional.empty(), Optional.empty());

  static CgroupRead of(CgroupStats stats) {
    return new CgroupRead(Optional.of(stats), Optional.empty());
  }

  static CgroupRead failed(CgroupFailure reason) {
    return new CgroupRead(Optional.empty(), Optional.of(reason));
  }

  /** Neither stats nor a failure: the cgroup is not on this host. */
  public boolean absent() {
    return stats.isEmpty() && failure.isEmpty();
  }
}
