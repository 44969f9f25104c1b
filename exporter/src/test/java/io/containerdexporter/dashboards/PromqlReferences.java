package io.containerdexporter.dashboards;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The metric names and label names a PromQL expression refers to: each selector with the labels its
 * matchers name, and the labels of every {@code by}, {@code without}, {@code on}, {@code ignoring}
 * and {@code group_*} clause. Just enough of PromQL's lexical grammar for that (no evaluation):
 * strings, ranges and Grafana's {@code $variables} are skipped, functions and aggregations are told
 * from metric names by what follows them.
 */
final class PromqlReferences {

  /** A metric selector: {@code name{label=~"…", …}}. */
  record Selector(String metric, Set<String> matcherLabels) {}

  private static final Set<String> GROUPING =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");
  private static final Set<String> AGGREGATIONS =
      Set.of(
          "sum",
          "min",
          "max",
          "avg",
          "count",
          "group",
          "stddev",
          "stdvar",
          "topk",
          "bottomk",
          "quantile",
          "count_values");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf", "nan");

  private final List<Selector> selectors = new ArrayList<>();
  private final Set<String> groupingLabels = new LinkedHashSet<>();

  private PromqlReferences() {}

  static PromqlReferences of(String expr) {
    PromqlReferences refs = new PromqlReferences();
    refs.walk(tokens(expr));
    return refs;
  }

  List<Selector> selectors() {
    return selectors;
  }

  Set<String> groupingLabels() {
    return groupingLabels;
  }

  private void walk(List<String> t) {
    for (int i = 0; i < t.size(); i++) {
      String tok = t.get(i);
      String next = i + 1 < t.size() ? t.get(i + 1) : "";
      if (!isIdentifier(tok)) {
        if (tok.equals("{")) {
          i = matchers(t, i, new LinkedHashSet<>());
        }
        continue;
      }
      if (GROUPING.contains(tok) && next.equals("(")) {
        for (i += 2; i < t.size() && !t.get(i).equals(")"); i++) {
          if (isIdentifier(t.get(i))) {
            groupingLabels.add(t.get(i));
          }
        }
        continue;
      }
      boolean aggregation = AGGREGATIONS.contains(tok) && GROUPING.contains(next);
      if (KEYWORDS.contains(tok) || next.equals("(") || aggregation) {
        continue;
      }
      Set<String> labels = new LinkedHashSet<>();
      if (next.equals("{")) {
        i = matchers(t, i + 1, labels);
      }
      selectors.add(new Selector(tok, labels));
    }
  }

  /** Reads {@code {a="x", b!~"y"}} from the brace at {@code open}; returns the index of "}". */
  private static int matchers(List<String> t, int open, Set<String> labels) {
    int i = open + 1;
    for (; i < t.size() && !t.get(i).equals("}"); i++) {
      String prev = t.get(i - 1);
      if (isIdentifier(t.get(i)) && (prev.equals("{") || prev.equals(","))) {
        labels.add(t.get(i));
      }
    }
    return i;
  }

  private static boolean isIdentifier(String tok) {
    char c = tok.charAt(0);
    return Character.isLetter(c) || c == '_' || c == ':';
  }

  /** Identifiers, numbers, punctuation; strings, ranges, comments and $variables become "_". */
  private static List<String> tokens(String expr) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < expr.length()) {
      char c = expr.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'' || c == '`') {
        int j = i + 1;
        while (j < expr.length() && expr.charAt(j) != c) {
          j += expr.charAt(j) == '\\' && c != '`' ? 2 : 1;
        }
        out.add("\"");
        i = j + 1;
      } else if (c == '#') {
        int eol = expr.indexOf('\n', i);
        i = eol < 0 ? expr.length() : eol;
      } else if (c == '[') {
        i = expr.indexOf(']', i) + 1;
        out.add("[]");
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int j = i;
        while (j < expr.length() && isNameChar(expr.charAt(j))) {
          j++;
        }
        out.add(expr.substring(i, j));
        i = j;
      } else if (Character.isDigit(c) || c == '$' || c == '.') {
        // numbers, durations after offset (5m), Grafana variables ($__rate_interval, ${x})
        int j = i + 1;
        while (j < expr.length()
            && (isNameChar(expr.charAt(j)) || "{}.".indexOf(expr.charAt(j)) >= 0 && c == '$')) {
          j++;
        }
        out.add("0");
        i = j;
      } else {
        out.add(String.valueOf(c));
        i++;
      }
    }
    return out;
  }

  private static boolean isNameChar(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == ':';
  }
}
