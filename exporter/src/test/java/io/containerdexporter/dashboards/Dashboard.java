package io.containerdexporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * dashboards/containerd-exporter.json, read the way Grafana reads it: its panels, their queries and
 * the template variables' queries. Shared by the JSON test and the end-to-end test.
 */
public final class Dashboard {

  /** A panel's query, with the row it sits in. */
  public record Query(String row, String panel, String refId, String expr, boolean instant) {}

  /** A template variable fed by {@code label_values(SELECTOR, LABEL)}. */
  public record Variable(String name, String selector, String label) {}

  private static final Pattern LABEL_VALUES =
      Pattern.compile("label_values\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)");

  private final JsonNode json;

  private Dashboard(JsonNode json) {
    this.json = json;
  }

  public static Path file() {
    return DocumentedSeries.repoFile("dashboards/containerd-exporter.json");
  }

  public static Dashboard load() {
    try {
      return new Dashboard(new ObjectMapper().readTree(file().toFile()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public JsonNode json() {
    return json;
  }

  /** Top-level panels, rows included, in document order. */
  public List<JsonNode> panels() {
    List<JsonNode> out = new ArrayList<>();
    json.path("panels").forEach(out::add);
    return out;
  }

  public List<Query> queries() {
    List<Query> out = new ArrayList<>();
    String row = "";
    for (JsonNode p : panels()) {
      if (p.path("type").asText().equals("row")) {
        row = p.path("title").asText();
        continue;
      }
      for (JsonNode t : p.path("targets")) {
        out.add(
            new Query(
                row,
                p.path("title").asText(),
                t.path("refId").asText(),
                t.path("expr").asText(),
                t.path("instant").asBoolean()));
      }
    }
    return out;
  }

  public List<Variable> queryVariables() {
    List<Variable> out = new ArrayList<>();
    for (JsonNode v : json.path("templating").path("list")) {
      if (!v.path("type").asText().equals("query")) {
        continue;
      }
      String query = v.path("query").path("query").asText(v.path("query").asText());
      Matcher m = LABEL_VALUES.matcher(query);
      if (!m.matches()) {
        throw new IllegalStateException(
            "variable " + v.path("name").asText() + ": not label_values(…): " + query);
      }
      out.add(new Variable(v.path("name").asText(), m.group(1).strip(), m.group(2)));
    }
    return out;
  }
}
