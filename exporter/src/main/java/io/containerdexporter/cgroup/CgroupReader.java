package io.containerdexporter.cgroup;

import io.containerdexporter.metrics.ReadErrors;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads one task's cgroup into {@link CgroupStats}. Implementations are thread-safe and hold no
 * per-task state.
 */
public interface CgroupReader {

  /**
   * @param cgroupPath the cgroup below the hierarchy root, as {@link CgroupPaths#fromSpec} gives it
   *     ({@code /default/c1}, {@code /kubepods.slice/…/cri-containerd-<id>.scope}); "/" is the root
   *     cgroup
   * @return empty when the cgroup does not exist (the task is gone) or the path is unusable ("",
   *     ".."); otherwise the values that could be read, the rest empty. Never throws for anything a
   *     file contains: unusable files are counted in {@link ReadErrors}.
   */
  Optional<CgroupStats> read(String cgroupPath);

  /**
   * Only the kernel's count of processes the OOM killer killed in this cgroup ({@code oom_kill} of
   * v1 {@code memory.oom_control}, v2 {@code memory.events}): the event path reads it on every
   * {@code /tasks/oom}, and one file is all it needs. The same path checks and error counting as
   * {@link #read}.
   *
   * @return empty when the cgroup or the file is not there, or the path or the value is unusable
   */
  OptionalLong oomKills(String cgroupPath);

  /**
   * The PIDs in the cgroup's {@code cgroup.procs} (v1: of the pids, else memory, else cpu
   * controller, which hold the same processes), for the per-process families. The same path checks
   * and error counting as {@link #read}.
   *
   * @return empty when the cgroup or the file is not there, or the path or the file is unusable
   */
  Optional<List<Long>> processes(String cgroupPath);

  /** Whether this reads the unified (v2) hierarchy. */
  boolean unified();
}
