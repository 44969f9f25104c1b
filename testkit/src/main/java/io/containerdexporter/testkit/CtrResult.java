package io.containerdexporter.testkit;

import java.util.List;

/** Outcome of one external command: what ran, how it ended and everything it printed. */
public record CtrResult(
    List<String> command, int exitCode, String stdout, String stderr, boolean timedOut) {

  public CtrResult {
    command = List.copyOf(command);
  }

  public boolean ok() {
    return !timedOut && exitCode == 0;
  }

  /** Throws a {@link CtrException} unless the command succeeded; returns this for chaining. */
  public CtrResult orThrow() {
    if (!ok()) {
      throw new CtrException(this);
    }
    return this;
  }

  public String describe() {
    String outcome = timedOut ? "timed out" : "exited with " + exitCode;
    return "`"
        + String.join(" ", command)
        + "` "
        + outcome
        + "\n--- stdout ---\n"
        + stdout.strip()
        + "\n--- stderr ---\n"
        + stderr.strip();
  }
}
