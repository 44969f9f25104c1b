package io.containerdexporter.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.it.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The shipped rule files: promtool-clean, every rule covered by a promtool unit test (run here),
 * every alert with severity, summary, description and a runbook section that exists, and every
 * series they read documented.
 */
class AlertRulesTest {

  private static final Set<String> REQUIRED =
      Set.of(
          "ContainerdDown",
          "ContainerdExporterDown",
          "ContainerdEventStreamDown",
          "ContainerdCollectorFailing",
          "ContainerOOMKilled",
          "ContainerCrashLooping",
          "ImagePullFailing",
          "ImagePullStalled",
          "ContainerCPUThrottlingHigh",
          "ContainerMemoryNearLimit");

  private final List<RuleFiles.Rule> alerts = RuleFiles.rules(RuleFiles.ALERTS);
  private final List<RuleFiles.Rule> records = RuleFiles.rules(RuleFiles.RECORDING);

  @Test
  void promtoolChecksBothFilesClean() {
    for (String file : List.of(RuleFiles.ALERTS, RuleFiles.RECORDING)) {
      Promtool.Result r = Promtool.run(null, "check", "rules", RuleFiles.path(file).toString());
      assertEquals(0, r.exitCode(), r.output());
    }
  }

  @Test
  void promtoolUnitTestsPass() throws IOException {
    Path dir = RuleFiles.path("alerts/tests");
    List<String> args = new ArrayList<>(List.of("test", "rules"));
    args.addAll(testFiles().stream().map(p -> p.getFileName().toString()).toList());
    Promtool.Result r = Promtool.run(dir, args.toArray(String[]::new));
    assertEquals(0, r.exitCode(), r.output());
  }

  @Test
  void everyRuleHasAPromtoolTest() throws IOException {
    String tests = String.join("\n", testFiles().stream().map(AlertRulesTest::read).toList());
    List<String> untested = new ArrayList<>();
    for (RuleFiles.Rule a : alerts) {
      if (!tests.contains("alertname: " + a.alert() + "\n")) {
        untested.add(a.alert());
      }
    }
    for (RuleFiles.Rule r : records) {
      if (!tests.contains("expr: " + r.record() + "\n")) {
        untested.add(r.record());
      }
    }
    assertEquals(List.of(), untested);
  }

  @Test
  void theIssuesAlertsExistWithSeveritySummaryDescriptionAndRunbook() {
    Set<String> names = alerts.stream().map(RuleFiles.Rule::alert).collect(Collectors.toSet());
    assertTrue(names.containsAll(REQUIRED), "missing: " + REQUIRED + " vs " + names);
    Set<String> anchors = runbookAnchors();
    for (RuleFiles.Rule a : alerts) {
      assertTrue(
          Set.of("critical", "warning", "info")
              .contains(a.json().path("labels").path("severity").asText()),
          a.alert() + ": severity");
      for (String annotation : List.of("summary", "description", "runbook_url")) {
        assertTrue(
            !a.json().path("annotations").path(annotation).asText().isBlank(),
            a.alert() + ": " + annotation);
      }
      String url = a.json().path("annotations").path("runbook_url").asText();
      assertTrue(url.contains("docs/runbook.md#"), a.alert() + ": " + url);
      String anchor = url.substring(url.indexOf('#') + 1);
      assertTrue(anchors.contains(anchor), a.alert() + ": no section #" + anchor + " in runbook");
      assertEquals(a.alert().toLowerCase(Locale.ROOT), anchor, a.alert() + ": its own section");
    }
  }

  @Test
  void everySeriesTheRulesReadIsDocumented() {
    Set<String> recorded = records.stream().map(RuleFiles.Rule::record).collect(Collectors.toSet());
    DocumentedSeries docs = new DocumentedSeries(recorded);
    List<String> problems = new ArrayList<>();
    for (RuleFiles.Rule r : alerts) {
      problems.addAll(docs.problems(r.alert(), r.expr()));
    }
    for (RuleFiles.Rule r : records) {
      problems.addAll(docs.problems(r.record(), r.expr()));
    }
    assertEquals(List.of(), problems);
  }

  /** GitHub's anchors of docs/runbook.md's headings: lower case, spaces to dashes. */
  private static Set<String> runbookAnchors() {
    Set<String> anchors = new LinkedHashSet<>();
    for (String line : read(RuleFiles.path("docs/runbook.md")).split("\n")) {
      if (line.startsWith("#")) {
        anchors.add(
            line.replaceFirst("^#+\\s*", "")
                .toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9 _-]", "")
                .replace(' ', '-'));
      }
    }
    return anchors;
  }

  private static List<Path> testFiles() throws IOException {
    try (Stream<Path> files = Files.list(RuleFiles.path("alerts/tests"))) {
      return files.filter(p -> p.toString().endsWith(".yml")).sorted().toList();
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
