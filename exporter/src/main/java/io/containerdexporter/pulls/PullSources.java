package io.containerdexporter.pulls;

import io.containerdexporter.config.PullSettings;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The log sources of pull records that are switched on and configured, started and stopped
 * together.
 */
public final class PullSources implements AutoCloseable {

  private final List<AutoCloseable> running;

  private PullSources(List<AutoCloseable> running) {
    this.running = running;
  }

  /**
   * @param fileSwitch {@code --[no-]collector.pulls-log}
   * @param journalSwitch {@code --[no-]collector.pulls-journal}
   */
  public static PullSources start(
      PullSettings settings,
      boolean fileSwitch,
      boolean journalSwitch,
      PullStats stats,
      Clock clock) {
    List<AutoCloseable> running = new ArrayList<>();
    if (fileSwitch) {
      settings.logFile().ifPresent(f -> running.add(LogFileFollower.start(f, stats, clock)));
    }
    if (journalSwitch) {
      settings
          .journalUnit()
          .ifPresent(
              u ->
                  running.add(JournalFollower.start(u, settings.journalDirectory(), stats, clock)));
    }
    return new PullSources(running);
  }

  @Override
  public void close() {
    for (AutoCloseable source : running) {
      try {
        source.close();
      } catch (Exception ignored) {
        // a follower's close only stops a thread or a journalctl child
      }
    }
  }
}
