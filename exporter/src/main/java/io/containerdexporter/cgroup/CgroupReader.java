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
   * @return {@link CgroupRead#ABSENT} when the cgroup does not exist (no cgroup on this host, or
   *     the task is gone) or the path is unusable ("", ".."); a failure when a file of it could not
   *     be read or it went away during the read (counted in {@link CgroupReadFailures}, and then
   *     none of its values: never half a task); otherwise its stats, a value the cgroup does not
   *     have or whose file is malformed (counted in {@link ReadErrors}) left empty. Never throws.
   */
  CgroupRead read(String cgroupPath);

  /**
   * Only the kernel's count of processes the OOM killer killed in this cgroup ({@code oom_kill} of
   * v1 {@code memory.oom_control}, v2 {@code memory.events}): the event path reads it on every
   * {@code /tasks/oom}, and one file is all it needs. The same path checks and error counting as
   * {@link #read}.
   *
   * @return empty when the cgroup or the file is not there, cannot be read, or the path or the
   *     value is unusable
   */
  OptionalLong oomKills(String cgroupPath);

  /**
   * The PIDs in the cgroup's {@code cgroup.procs} (v1: of the pids, else memory, else cpu
   * controller, which hold the same processes), for the per-process families. The same path checks
   * and error counting as {@link #read}.
   *
   * @return empty when the cgroup or the file is not there, cannot be read, or the path or the file
   *     is unusable
   */
  Optional<List<Long>> processes(String cgroupPath);

  /** Whether this reads the unified (v2) hierarchy. */
  boolean unified();
}
