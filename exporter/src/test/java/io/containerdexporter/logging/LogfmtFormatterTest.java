package io.containerdexporter.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

public class LogfmtFormatterTest {

  /** time, level, source, msg, then optional err and stack: every value quoted, one line. */
  public static final Pattern LOGFMT_LINE =
      Pattern.compile(
          "time=\\S+ level=(debug|info|warn|error) source=\\S+ msg=\"(?:[^\"\\\\]++|\\\\.)*+\""
              + "( err=\"(?:[^\"\\\\]++|\\\\.)*+\")?( stack=\"(?:[^\"\\\\]++|\\\\.)*+\")?");

  @Test
  void aRecordIsOneLogfmtLine() {
    LogRecord r = new LogRecord(Level.WARNING, "containerd at \"/x\" is not reachable\nat all");
    r.setLoggerName("io.containerdexporter.containerd.ConnectionMonitor");
    String line = new LogfmtFormatter().format(r);
    assertTrue(line.endsWith("\n"));
    assertEquals(1, line.lines().count(), line);
    assertTrue(LOGFMT_LINE.matcher(line.strip()).matches(), line);
    assertTrue(
        line.contains(
            " level=warn source=ConnectionMonitor msg=\"containerd at \\\"/x\\\" is not reachable\\nat all\""),
        line);
  }

  @Test
  void aStackTraceAtDebugIsAQuotedFieldOfTheSameLine() {
    LogRecord r = new LogRecord(Level.FINE, "containerd probe failed");
    r.setLoggerName("x.Y");
    r.setThrown(new IllegalStateException("boom", new java.io.IOException("cause")));
    String line = new LogfmtFormatter().format(r);
    assertEquals(1, line.lines().count(), line);
    assertTrue(LOGFMT_LINE.matcher(line.strip()).matches(), line);
    assertTrue(
        line.contains(
            " err=\"java.lang.IllegalStateException: boom\" stack=\"java.lang.IllegalStateException: boom\\n\\tat "),
        line);
  }

  @Test
  void atInfoTheErrorIsNamedWithoutATrace() {
    LogRecord r = new LogRecord(Level.WARNING, "poll failed");
    r.setLoggerName("x.Y");
    r.setThrown(new IllegalStateException("boom"));
    String line = new LogfmtFormatter().format(r);
    assertTrue(line.strip().endsWith("err=\"java.lang.IllegalStateException: boom\""), line);
  }
}
