package io.containerdexporter.events;

import java.util.Set;

/**
 * Exit codes as a bounded label: the ones that mean something to an on-call engineer, and "other".
 * 0 success, 1 and 2 generic errors, 126 not executable, 127 not found, 137 SIGKILL (OOM or kill
 * -9), 139 SIGSEGV, 143 SIGTERM.
 */
final class ExitCodes {

  static final Set<Integer> NAMED = Set.of(0, 1, 2, 126, 127, 137, 139, 143);

  private ExitCodes() {}

  static String label(int exitStatus) {
    return NAMED.contains(exitStatus) ? Integer.toString(exitStatus) : "other";
  }
}
