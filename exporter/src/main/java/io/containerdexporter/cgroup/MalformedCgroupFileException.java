package io.containerdexporter.cgroup;

/**
 * A cgroup file's text is not what the kernel writes (empty, cut short, not a number, out of
 * range). The only exception the pure parsers in {@link CgroupParsers} throw; the readers catch it,
 * count it and carry on.
 */
public final class MalformedCgroupFileException extends Exception {

  private static final long serialVersionUID = 1L;

  public MalformedCgroupFileException(String reason) {
    // No stack trace: this is an expected, counted outcome, and it may happen for every task at
    // every poll.
    super(reason, null, false, false);
  }
}
