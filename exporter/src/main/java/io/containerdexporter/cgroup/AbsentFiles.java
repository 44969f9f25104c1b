package io.containerdexporter.cgroup;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The file names a v1 hierarchy was found without, so that the next task's cgroup is not asked for
 * them. Every cgroup below a v1 root has the same files (the root itself has fewer, so it is not
 * asked about): the kernel adds a controller's files to all of them at once (a blkio policy such as
 * BFQ when its module loads) and never to one alone. A kernel without CFQ (5.0 and later) lacks
 * {@code blkio.io_serviced_recursive} in every task's cgroup, so without this each task costs a
 * failed open, its exception and a check that the directory is still there, every round (about 10
 * µs a task).
 *
 * <p>A name counts as missing once two different cgroups were found without it: a single one could
 * be a cgroup removed and made again under the same path between the failed open and the check of
 * its directory, and would otherwise hide that file of every task for a while. A name is asked for
 * again after {@link #RECHECK}, which is how a policy loaded later shows up. Not for cgroup v2,
 * where which controllers' files a cgroup has depends on its parent's {@code
 * cgroup.subtree_control}.
 */
final class AbsentFiles {

  static final Duration RECHECK = Duration.ofMinutes(10);

  /** Remembers nothing: every name is always asked for. */
  static final AbsentFiles NONE = new AbsentFiles(System::nanoTime, Duration.ZERO);

  private final Map<String, Long> missingSince = new ConcurrentHashMap<>();

  /** The one cgroup each name was first found missing from, until a second one confirms it. */
  private final Map<String, Path> firstMissingIn = new ConcurrentHashMap<>();

  private final LongSupplier nanos;
  private final long recheckNanos;

  AbsentFiles(LongSupplier nanos, Duration recheck) {
    this.nanos = nanos;
    this.recheckNanos = recheck.toNanos();
  }

  static AbsentFiles v1() {
    return new AbsentFiles(System::nanoTime, RECHECK);
  }

  /** Whether {@code name} was found missing less than RECHECK ago. */
  boolean known(String name) {
    Long since = missingSince.get(name);
    if (since == null) {
      return false;
    }
    if (nanos.getAsLong() - since < recheckNanos) {
      return true;
    }
    missingSince.remove(name, since);
    return false;
  }

  /** {@code name} is not in {@code dir}, a cgroup directory that is there. */
  void missing(String name, Path dir) {
    if (recheckNanos == 0) {
      return;
    }
    Path first = firstMissingIn.putIfAbsent(name, dir);
    if (first != null && !first.equals(dir)) {
      firstMissingIn.remove(name, first);
      missingSince.putIfAbsent(name, nanos.getAsLong());
    }
  }
}
