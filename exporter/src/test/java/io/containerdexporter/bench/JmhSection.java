package io.containerdexporter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges a JMH run's results (its {@code -rf json} file) into docs/performance.md's {@code jmh}
 * section: a benchmark run again replaces its row, the others' rows are kept, so {@code
 * scripts/bench jmh OneBenchmark} does not drop the rest. Arguments: the JSON file.
 */
public final class JmhSection {

  private static final String HEADER =
      "| benchmark | params | mode | score | error (99.9%) | unit | measured |\n"
          + "|---|---|---|---|---|---|---|\n";

  private JmhSection() {}

  public static void main(String[] args) throws Exception {
    Path doc = Path.of(System.getProperty("bench.doc", PerformanceDoc.DEFAULT.toString()));
    Map<String, String> rows = new TreeMap<>(existingRows(doc));
    String today = LocalDate.now().toString();
    for (JsonNode b : new ObjectMapper().readTree(Path.of(args[0]).toFile())) {
      String name = b.get("benchmark").asText().replace("io.containerdexporter.jmh.", "");
      StringBuilder params = new StringBuilder();
      JsonNode p = b.get("params");
      if (p != null) {
        for (Iterator<Map.Entry<String, JsonNode>> it = p.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> e = it.next();
          params.append(params.isEmpty() ? "" : ", ").append(e.getKey()).append('=');
          params.append(e.getValue().asText());
        }
      }
      JsonNode m = b.get("primaryMetric");
      String key = name + " " + params;
      rows.put(
          key,
          String.format(
              "| %s | %s | %s | %.3f | %.3f | %s | %s |",
              name,
              params,
              b.get("mode").asText(),
              m.get("score").asDouble(),
              m.get("scoreError").asDouble(),
              m.get("scoreUnit").asText(),
              today));
    }
    StringBuilder s =
        new StringBuilder(
            "Written by `scripts/bench jmh [regex]` (JMH, exporter/src/jmh/java, forked JVMs with"
                + " JMH's defaults unless a benchmark says otherwise; one row per benchmark, kept"
                + " until that benchmark runs again).\n\n");
    s.append(HEADER);
    rows.values().forEach(r -> s.append(r).append('\n'));
    PerformanceDoc.replaceSection(doc, "jmh", s.toString());
    System.err.println("==> wrote " + rows.size() + " JMH rows to " + doc);
  }

  /** The rows already in the section, by benchmark and params. */
  private static Map<String, String> existingRows(Path doc) throws Exception {
    String text = Files.readString(doc);
    int start = text.indexOf("<!-- bench:jmh -->");
    int end = text.indexOf("<!-- /bench:jmh -->");
    Map<String, String> rows = new TreeMap<>();
    if (start < 0 || end < start) {
      return rows;
    }
    for (String line : text.substring(start, end).split("\n")) {
      String[] cells = line.split("\\|");
      if (cells.length > 3 && !line.startsWith("|---") && !cells[1].strip().equals("benchmark")) {
        rows.put(cells[1].strip() + " " + cells[2].strip(), line);
      }
    }
    return rows;
  }
}
