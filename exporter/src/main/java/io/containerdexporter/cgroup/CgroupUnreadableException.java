package io.containerdexporter.cgroup;

import java.nio.file.Path;

/**
 * A file of a task's cgroup could not be read, or the cgroup went away while it was read: the
 * reader gives up the whole read (no task with half its values), counts it in {@link
 * CgroupReadFailures} and carries on with the next task.
 */
final class CgroupUnreadableException extends Exception {

  private static final long serialVersionUID = 1L;

  private final CgroupFailure reason;
  private final transient Path path;

  CgroupUnreadableException(CgroupFailure reason, Path path, String detail) {
    // No stack trace: an expected, counted outcome, which may happen for many tasks every poll.
    super(detail, null, false, false);
    this.reason = reason;
    this.path = path;
  }

  CgroupFailure reason() {
    return reason;
  }

  /** The file or directory that failed. */
  Path path() {
    return path;
  }
}
