package io.containerdexporter.logging;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The records one class's logger publishes while a test runs, for tests that assert what is logged
 * (and how often). Close it to stop listening and put the logger's level back.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler handler =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          records.add(r);
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(r.getMessage());
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(Class<?> source, Level level) {
    this.logger = Logger.getLogger(source.getName());
    this.previousLevel = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
    logger.addHandler(handler);
  }

  /** What {@code source}'s logger publishes at its configured level. */
  public static LogCapture of(Class<?> source) {
    return new LogCapture(source, null);
  }

  /** Everything {@code source}'s logger is asked to log, debug levels included. */
  public static LogCapture everything(Class<?> source) {
    return new LogCapture(source, Level.ALL);
  }

  /** The records so far, in order (a live view: it grows as the logger publishes). */
  public List<LogRecord> records() {
    return records;
  }

  /** The raw messages of the records at WARNING or above, in order (a live view too). */
  public List<String> warnings() {
    return warnings;
  }

  @Override
  public void close() {
    logger.removeHandler(handler);
    logger.setLevel(previousLevel);
  }
}
