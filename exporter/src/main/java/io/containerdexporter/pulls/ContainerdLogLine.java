package io.containerdexporter.pulls;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * One line of containerd's log, in either of its formats (logrus text, i.e. logfmt, the default; or
 * JSON with {@code [debug] format = "json"}), reduced to what it says about an image pull. Pure:
 * the caller counts the outcome.
 */
public final class ContainerdLogLine {

  /** Longer lines are cut by the reader and counted malformed: no CRI pull line comes near it. */
  public static final int MAX_LINE_CHARS = 64 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PULL_IMAGE = "PullImage \"";
  private static final String CANCEL_PULLING = "cancel pulling image ";
  private static final String NO_PROGRESS = " because of no progress";

  /** What one line was. */
  public enum Result {
    /** A pull record. */
    PARSED,
    /** A well-formed line about something else. */
    IGNORED,
    /** Not logfmt nor JSON: binary, broken quoting, cut, … */
    MALFORMED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** The outcome, with the record when {@link Result#PARSED}. */
  public record Outcome(Result result, Optional<PullRecord> record) {
    public static final Outcome IGNORED = new Outcome(Result.IGNORED, Optional.empty());
    public static final Outcome MALFORMED = new Outcome(Result.MALFORMED, Optional.empty());
  }

  private ContainerdLogLine() {}

  /**
   * @param fallbackTime when the line itself carries no usable time (the journal's, or now)
   */
  public static Outcome parse(String line, Instant fallbackTime) {
    if (line == null || line.length() > MAX_LINE_CHARS || hasControlCharacters(line)) {
      return Outcome.MALFORMED;
    }
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return Outcome.IGNORED;
    }
    Map<String, String> fields = trimmed.startsWith("{") ? json(trimmed) : Logfmt.parse(trimmed);
    if (fields == null) {
      return Outcome.MALFORMED;
    }
    String msg = fields.get("msg");
    if (msg != null && msg.startsWith(CANCEL_PULLING) && msg.contains(NO_PROGRESS)) {
      String ref = msg.substring(CANCEL_PULLING.length(), msg.indexOf(NO_PROGRESS)).strip();
      Instant at = time(fields.get("time")).orElse(fallbackTime);
      return new Outcome(Result.PARSED, Optional.of(new PullRecord.Stalled(ref, at)));
    }
    if (msg == null || !msg.startsWith(PULL_IMAGE)) {
      return Outcome.IGNORED;
    }
    int end = msg.indexOf('"', PULL_IMAGE.length());
    if (end < 0) {
      return Outcome.MALFORMED;
    }
    String ref = msg.substring(PULL_IMAGE.length(), end);
    String rest = msg.substring(end + 1);
    Instant at = time(fields.get("time")).orElse(fallbackTime);
    PullRecord record;
    if (rest.isEmpty()) {
      record = new PullRecord.Started(ref, at);
    } else if (rest.startsWith(" returns image reference")) {
      record = new PullRecord.Succeeded(ref, at);
    } else if (rest.equals(" failed")) {
      record = new PullRecord.Failed(ref, fields.getOrDefault("error", ""), at);
    } else {
      return Outcome.IGNORED;
    }
    return new Outcome(Result.PARSED, Optional.of(record));
  }

  private static boolean hasControlCharacters(String line) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      // U+FFFD: the reader's stand-in for bytes that were not UTF-8.
      if ((c < 0x20 && c != '\t') || c == 0x7f || c == '\uFFFD') {
        return true;
      }
    }
    return false;
  }

  /** The string fields of one JSON object, or null when it is not one. */
  private static Map<String, String> json(String line) {
    try {
      JsonNode node = JSON.readTree(line);
      if (node == null || !node.isObject()) {
        return null;
      }
      Map<String, String> fields = new java.util.LinkedHashMap<>();
      node.fields()
          .forEachRemaining(
              e -> {
                if (e.getValue().isValueNode()) {
                  fields.put(e.getKey(), e.getValue().asText());
                }
              });
      return fields;
    } catch (IOException e) {
      return null;
    }
  }

  private static Optional<Instant> time(String value) {
    if (value == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(OffsetDateTime.parse(value).toInstant());
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }
}
