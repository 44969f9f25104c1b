package io.containerdexporter.pulls;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Feeds containerd log lines from one source into {@link PullStats}; says once per source that a
 * malformed line was skipped (they are counted, never fatal).
 */
final class LogLineCounter implements LineAssembler.Sink {

  private static final Logger LOG = Logger.getLogger(LogLineCounter.class.getName());

  private final String source;
  private final PullStats stats;
  private final Clock clock;
  private final AtomicBoolean warned = new AtomicBoolean();

  LogLineCounter(String source, PullStats stats, Clock clock) {
    this.source = source;
    this.stats = stats;
    this.clock = clock;
    stats.logSourceStarted();
  }

  @Override
  public void line(String line) {
    line(line, clock.instant());
  }

  /** A line whose own time is unknown is taken to be from {@code fallbackTime}. */
  void line(String line, java.time.Instant fallbackTime) {
    ContainerdLogLine.Outcome outcome = ContainerdLogLine.parse(line, fallbackTime);
    if (outcome.result() == ContainerdLogLine.Result.MALFORMED) {
      warnOnce();
    }
    stats.logLine(outcome);
  }

  @Override
  public void malformed() {
    warnOnce();
    stats.logLine(ContainerdLogLine.Outcome.MALFORMED);
  }

  private void warnOnce() {
    if (warned.compareAndSet(false, true)) {
      LOG.warning(
          source
              + ": skipped a malformed line (not logfmt or JSON, binary, longer than "
              + ContainerdLogLine.MAX_LINE_CHARS
              + " characters, or cut by a rotation); further ones are only counted in "
              + "containerd_exporter_log_lines_total{result=\"malformed\"}");
    }
  }
}
