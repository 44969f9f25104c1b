package io.containerdexporter.cgroup;

import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counts reads of a task's cgroup that were given up, by {@link CgroupFailure}: the counter behind
 * {@code containerd_exporter_cgroup_read_failures_total}, shared by every reader of the process.
 * Each task's cgroup is logged once (vanished at debug: a task exiting is normal; denied and io at
 * warning, with the file and the error), so a node where every cgroup is unreadable logs one line
 * per task, not one per task per poll. Thread-safe.
 */
public final class CgroupReadFailures {

  private static final Logger LOG = Logger.getLogger(CgroupReadFailures.class.getName());

  /**
   * How many cgroups are remembered as logged: far more than the tasks of a node, so a task is
   * logged again only after thousands of others failed since.
   */
  static final int LOGGED_CGROUPS = 8192;

  private final String family;
  private final Map<CgroupFailure, LongAdder> counts = new EnumMap<>(CgroupFailure.class);
  private final Set<String> logged =
      Collections.newSetFromMap(
          Collections.synchronizedMap(
              new LinkedHashMap<>() {
                private static final long serialVersionUID = 1L;

                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > LOGGED_CGROUPS;
                }
              }));

  /**
   * @param family the counter family these counts are exposed as, for the log line
   */
  public CgroupReadFailures(String family) {
    this.family = family;
    for (CgroupFailure reason : CgroupFailure.values()) {
      counts.put(reason, new LongAdder());
    }
  }

  /**
   * Counts one read given up.
   *
   * @param cgroup the task's cgroup path, as the reader was given it (the log-once key)
   */
  void record(String cgroup, CgroupUnreadableException e) {
    counts.get(e.reason()).increment();
    if (logged.add(cgroup)) {
      LOG.log(
          e.reason() == CgroupFailure.VANISHED ? Level.FINE : Level.WARNING,
          "cgroup {0} not read ({1}: {2}: {3}); its task is left out of the round (counted in "
              + "{4}'{'reason=\"{1}\"'}', logged once per task)",
          new Object[] {cgroup, e.reason().label(), pathOf(e), e.getMessage(), family});
    }
  }

  /** Reads given up so far for one reason. */
  public long count(CgroupFailure reason) {
    return counts.get(reason).sum();
  }

  /** Reads given up so far, every reason (0 where none), in declaration order. */
  public Map<CgroupFailure, Long> snapshot() {
    Map<CgroupFailure, Long> copy = new EnumMap<>(CgroupFailure.class);
    counts.forEach((reason, adder) -> copy.put(reason, adder.sum()));
    return copy;
  }

  private static Object pathOf(CgroupUnreadableException e) {
    Path path = e.path();
    return path == null ? "?" : path;
  }
}
