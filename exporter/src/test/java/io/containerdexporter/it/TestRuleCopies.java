package io.containerdexporter.it;

import io.containerdexporter.dashboards.RuleFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shipped rule files as the end-to-end test loads them: byte for byte, except each alert's
 * {@code for:}, shortened so that a test of seconds sees alerts fire. The expressions are the
 * shipped ones.
 */
final class TestRuleCopies {

  /** How long an alert must hold in the test: a few evaluations (every second). */
  static final String SHORT_FOR = "3s";

  /**
   * One overrun of a 1 s poll timeout is normal on this loaded machine (CollectorFailureIT):
   * ContainerdCollectorFailing keeps a longer hold, so it fires only for a collector that keeps
   * failing.
   */
  private static final Map<String, String> LONGER = Map.of("ContainerdCollectorFailing", "20s");

  private static final Pattern ALERT = Pattern.compile("^\\s*- alert: (\\S+)\\s*$");
  private static final Pattern FOR = Pattern.compile("^(\\s*)for: \\S+\\s*$");

  private TestRuleCopies() {}

  static List<Map.Entry<String, String>> both() {
    return List.of(
        Map.entry("alerts.rules.yml", shortened(read(RuleFiles.ALERTS))),
        Map.entry("recording.rules.yml", read(RuleFiles.RECORDING)));
  }

  static String shortened(String rules) {
    List<String> out = new ArrayList<>();
    String alert = "";
    for (String line : rules.split("\n", -1)) {
      Matcher a = ALERT.matcher(line);
      if (a.matches()) {
        alert = a.group(1);
      }
      Matcher f = FOR.matcher(line);
      out.add(f.matches() ? f.group(1) + "for: " + LONGER.getOrDefault(alert, SHORT_FOR) : line);
    }
    return String.join("\n", out);
  }

  private static String read(String relative) {
    try {
      return Files.readString(RuleFiles.path(relative));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
