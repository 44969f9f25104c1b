package io.containerdexporter.cgroup;

import io.containerdexporter.metrics.ReadErrors;
import java.util.Optional;

/** Reads one task's cgroup into {@link CgroupStats}. Implementations are thread-safe and hold no per-task state. */
public interface CgroupReader {

  /**
   * @param cgroupPath the cgroup below the hierarchy root, as {@link CgroupPaths#fromSpec} gives it
   *     ({@code /default/c1}, {@code /kubepods.slice/…/cri-containerd-<id>.scope}); "/" is the root cgroup
   * @return empty when the cgroup does not exist (the task is gone) or the path is unusable ("", "..");
   *     otherwise the values that could be read, the rest empty. Never throws for anything a file contains:
   *     unusable files are counted in {@link ReadErrors}.
   */
  Optional<CgroupStats> read(String cgroupPath);

  /** Whether this reads the unified (v2) hierarchy. */
  boolean unified();
}
