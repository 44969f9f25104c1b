package io.containerdexporter.cgroup;

import java.io.IOException;
import java.nio.file.AccessDeniedException;

/**
 * Why a read of a task's cgroup was given up: the {@code reason} label of {@code
 * containerd_exporter_cgroup_read_failures_total}. A bounded set, one word each.
 */
public enum CgroupFailure {
  /**
   * The cgroup directory went away while it was read: the task exited meanwhile (a normal race).
   */
  VANISHED("vanished"),
  /** A file or directory that is there may not be read (EACCES, EPERM). */
  DENIED("denied"),
  /** Any other I/O error on a file of a cgroup that is still there (EIO, …). */
  IO("io");

  private final String label;

  CgroupFailure(String label) {
    this.label = label;
  }

  /** The label value. */
  public String label() {
    return label;
  }

  /** Denied or io, for an error on a cgroup that is still there. */
  static CgroupFailure of(IOException e) {
    return e instanceof AccessDeniedException
            || mentions(e, "Permission denied")
            || mentions(e, "Operation not permitted")
        ? DENIED
        : IO;
  }

  private static boolean mentions(IOException e, String errno) {
    return e.getMessage() != null && e.getMessage().contains(errno);
  }
}
