package io.containerdexporter.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations in Prometheus' syntax ({@code 500ms}, {@code 15s}, {@code 1m30s}, {@code 2h}), so our
 * flags read like every other exporter's.
 */
public final class PrometheusDuration {

  private static final Pattern WHOLE = Pattern.compile("((\\d+)(ms|s|m|h|d|w|y))+");
  private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d|w|y)");

  private PrometheusDuration() {}

  /** What a valid value looks like, for error messages. */
  public static final String EXPECTED =
      "a number and a unit (ms, s, m, h, d, w, y), e.g. 15s or 1m30s";

  /**
   * Parses a non-negative duration; the exception's message says what is wrong without repeating
   * the value, so a caller can put the flag and the value in front of it.
   */
  public static Duration parse(String text) {
    if (text != null && text.startsWith("-") && WHOLE.matcher(text.substring(1)).matches()) {
      throw new IllegalArgumentException("must be positive");
    }
    if (text == null || !WHOLE.matcher(text).matches()) {
      throw new IllegalArgumentException("not a duration; expected " + EXPECTED);
    }
    Duration total = Duration.ZERO;
    Matcher part = PART.matcher(text);
    while (part.find()) {
      long n = Long.parseLong(part.group(1));
      total =
          total.plus(
              switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                case "w" -> Duration.ofDays(7 * n);
                case "y" -> Duration.ofDays(365 * n);
                default -> throw new AssertionError(part.group(2));
              });
    }
    return total;
  }

  /** The shortest Prometheus spelling, for help texts and the landing page. */
  public static String format(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long ms = d.toMillis();
    long h = ms / 3_600_000;
    ms %= 3_600_000;
    long m = ms / 60_000;
    ms %= 60_000;
    long s = ms / 1000;
    ms %= 1000;
    if (h > 0) out.append(h).append('h');
    if (m > 0) out.append(m).append('m');
    if (s > 0) out.append(s).append('s');
    if (ms > 0) out.append(ms).append("ms");
    return out.toString();
  }
}
