package io.containerdexporter.dashboards;

import io.containerdexporter.docs.MetricsTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Holds a PromQL expression of a dashboard or rule file to docs/metrics.md: every metric it names
 * is a documented family (or Prometheus' own {@code up}, or a recording rule of ours), and every
 * label it matches or groups by exists on those families or is a target label.
 */
final class DocumentedSeries {

  /**
   * Labels the scrape attaches (docs/metrics.md, "Target labels"): job and instance always; node,
   * origin_prometheus (13105's label for one of several Prometheis) and cluster where relabelling
   * or external labels set them.
   */
  static final Set<String> TARGET_LABELS =
      Set.of("job", "instance", "node", "origin_prometheus", "cluster");

  /** Series Prometheus writes itself for every target. */
  private static final Set<String> PROMETHEUS_OWN = Set.of("up");

  private final Map<String, MetricsTable.Row> families = new HashMap<>();
  private final Set<String> wildcardPrefixes = MetricsTable.wildcardPrefixes();
  private final Set<String> recordingRules;

  DocumentedSeries(Set<String> recordingRules) {
    MetricsTable.rows().forEach(r -> families.put(r.name(), r));
    this.recordingRules = recordingRules;
  }

  /** What is wrong with {@code expr}, as lines naming the metric or label; empty if nothing. */
  List<String> problems(String where, String expr) {
    PromqlReferences refs = PromqlReferences.of(expr);
    List<String> problems = new ArrayList<>();
    Set<String> allLabels = new HashSet<>(TARGET_LABELS);
    if (refs.selectors().isEmpty()) {
      problems.add(where + ": no metric in " + expr);
    }
    for (PromqlReferences.Selector s : refs.selectors()) {
      Optional<Set<String>> labels = labelsOf(s.metric());
      if (labels.isEmpty()) {
        problems.add(where + ": " + s.metric() + " is not documented in docs/metrics.md");
        continue;
      }
      allLabels.addAll(labels.get());
      for (String label : s.matcherLabels()) {
        if (!labels.get().contains(label) && !TARGET_LABELS.contains(label)) {
          problems.add(where + ": " + s.metric() + " has no label " + label);
        }
      }
    }
    for (String label : refs.groupingLabels()) {
      if (!allLabels.contains(label)) {
        problems.add(where + ": grouping label " + label + " is on none of the families it reads");
      }
    }
    return problems;
  }

  /** The labels of a series name; empty if it is not ours. Unchecked (any) for wildcard rows. */
  private Optional<Set<String>> labelsOf(String metric) {
    MetricsTable.Row row = families.get(metric);
    if (row != null) {
      return Optional.of(row.labels());
    }
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      MetricsTable.Row histogram =
          metric.endsWith(suffix)
              ? families.get(metric.substring(0, metric.length() - suffix.length()))
              : null;
      if (histogram != null && histogram.type().equals("histogram")) {
        Set<String> labels = new HashSet<>(histogram.labels());
        if (suffix.equals("_bucket")) {
          labels.add("le");
        }
        return Optional.of(labels);
      }
    }
    if (PROMETHEUS_OWN.contains(metric) || recordingRules.contains(metric)) {
      return Optional.of(Set.of());
    }
    if (wildcardPrefixes.stream().anyMatch(metric::startsWith)) {
      return Optional.of(Set.of());
    }
    return Optional.empty();
  }

  /** A file of the repository, found from the exporter module (where Maven runs) or the root. */
  static Path repoFile(String relative) {
    for (Path candidate : List.of(Path.of("..").resolve(relative), Path.of(relative))) {
      if (Files.exists(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(relative + " not found from " + Path.of("").toAbsolutePath());
  }
}
