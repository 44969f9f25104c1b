package io.containerdexporter.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One logfmt line per record ({@code time=… level=info source=Poller msg="…"}), the format
 * Prometheus' own exporters write, so one log pipeline parses them all, and nothing else.
 * Exceptions are only printed in full at debug level, as a quoted {@code stack} field: at info the
 * message of the cause is on the line and a stack trace would only hide it.
 */
public final class LogfmtFormatter extends Formatter {

  @Override
  public String format(LogRecord record) {
    StringBuilder line = new StringBuilder(160);
    line.append("time=")
        .append(DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochMilli(record.getMillis())));
    line.append(" level=").append(levelName(record.getLevel()));
    line.append(" source=").append(shortName(record.getLoggerName()));
    line.append(" msg=").append(quote(formatMessage(record)));
    Throwable thrown = record.getThrown();
    if (thrown != null) {
      line.append(" err=").append(quote(String.valueOf(thrown)));
    }
    if (thrown != null && record.getLevel().intValue() <= Level.FINE.intValue()) {
      // Still one logfmt line: the trace is a quoted field, its line breaks escaped.
      StringWriter trace = new StringWriter();
      thrown.printStackTrace(new PrintWriter(trace));
      line.append(" stack=").append(quote(trace.toString().strip()));
    }
    line.append('\n');
    return line.toString();
  }

  static String levelName(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) return "error";
    if (v >= Level.WARNING.intValue()) return "warn";
    if (v >= Level.INFO.intValue()) return "info";
    return "debug";
  }

  private static String shortName(String loggerName) {
    if (loggerName == null) {
      return "unknown";
    }
    return loggerName.substring(loggerName.lastIndexOf('.') + 1);
  }

  static String quote(String value) {
    if (value == null) {
      return "\"\"";
    }
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
