package io.containerdexporter.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * dashboards/containerd-exporter.json: importable, well laid out, and only on documented series.
 */
class DashboardJsonTest {

  private static final String DATASOURCE_UID = "${datasource}";
  private final Dashboard dashboard = Dashboard.load();
  private final JsonNode json = dashboard.json();

  @Test
  void isImportableWithADatasourceInputAndAStableUid() {
    JsonNode input = json.path("__inputs").path(0);
    assertEquals("datasource", input.path("type").asText());
    assertEquals("prometheus", input.path("pluginId").asText());
    assertEquals("containerd-exporter", json.path("uid").asText());
    assertTrue(json.path("version").isInt(), "version");
    JsonNode ds = variable("datasource");
    assertEquals("datasource", ds.path("type").asText());
    assertEquals("prometheus", ds.path("query").asText());
  }

  @Test
  void hasDashboard13105sVariablesFedFromOurFamilies() {
    for (String name :
        List.of(
            "origin_prometheus", "Node", "NameSpace", "Pod", "Container", "containerd_namespace")) {
      JsonNode v = variable(name);
      assertEquals("query", v.path("type").asText(), name);
      assertEquals(DATASOURCE_UID, v.path("datasource").path("uid").asText(), name);
    }
    DocumentedSeries docs = new DocumentedSeries(Set.of());
    List<String> problems = new ArrayList<>();
    for (Dashboard.Variable v : dashboard.queryVariables()) {
      problems.addAll(docs.problems("variable " + v.name(), v.selector()));
      PromqlReferences.of(v.selector()).selectors().stream()
          .filter(s -> !DocumentedSeries.TARGET_LABELS.contains(v.label()))
          .forEach(
              s ->
                  problems.addAll(
                      docs.problems(
                          "variable " + v.name(),
                          "count by (" + v.label() + ") (" + s.metric() + ")")));
    }
    assertEquals(List.of(), problems);
  }

  @Test
  void hasTheRowsOfTheIssue() {
    List<String> rows = new ArrayList<>();
    dashboard.panels().stream()
        .filter(p -> p.path("type").asText().equals("row"))
        .forEach(p -> rows.add(p.path("title").asText()));
    assertEquals(List.of("Node overview", "Containers", "Events", "Pulls", "Exporter"), rows);
  }

  @Test
  void panelsHaveUniqueIdsTheDatasourceVariableAndAUnit() {
    Set<Integer> ids = new HashSet<>();
    for (JsonNode p : dashboard.panels()) {
      String title = p.path("title").asText();
      assertTrue(
          ids.add(p.path("id").asInt()), "duplicate id " + p.path("id") + " (" + title + ")");
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      assertEquals(DATASOURCE_UID, p.path("datasource").path("uid").asText(), title);
      assertFalse(p.path("targets").isEmpty(), title + ": no query");
      for (JsonNode t : p.path("targets")) {
        assertEquals(DATASOURCE_UID, t.path("datasource").path("uid").asText(), title);
      }
      assertFalse(
          p.path("fieldConfig").path("defaults").path("unit").asText().isEmpty(), title + ": unit");
    }
  }

  @Test
  void panelsDoNotOverlapAndFitTheGrid() {
    List<JsonNode> panels = dashboard.panels();
    for (int i = 0; i < panels.size(); i++) {
      JsonNode a = panels.get(i).path("gridPos");
      assertTrue(
          a.path("x").asInt() >= 0 && a.path("x").asInt() + a.path("w").asInt() <= 24,
          panels.get(i).path("title") + " is outside the 24 columns");
      for (int j = i + 1; j < panels.size(); j++) {
        JsonNode b = panels.get(j).path("gridPos");
        assertFalse(
            overlap(a, b),
            panels.get(i).path("title") + " overlaps " + panels.get(j).path("title"));
      }
    }
  }

  @Test
  void everyQueryUsesDocumentedFamiliesAndTheirLabels() {
    DocumentedSeries docs = new DocumentedSeries(Set.of());
    List<String> problems = new ArrayList<>();
    for (Dashboard.Query q : dashboard.queries()) {
      problems.addAll(docs.problems(q.panel() + " " + q.refId(), q.expr()));
    }
    assertEquals(List.of(), problems);
  }

  private static boolean overlap(JsonNode a, JsonNode b) {
    return a.path("x").asInt() < b.path("x").asInt() + b.path("w").asInt()
        && b.path("x").asInt() < a.path("x").asInt() + a.path("w").asInt()
        && a.path("y").asInt() < b.path("y").asInt() + b.path("h").asInt()
        && b.path("y").asInt() < a.path("y").asInt() + a.path("h").asInt();
  }

  private JsonNode variable(String name) {
    for (JsonNode v : json.path("templating").path("list")) {
      if (v.path("name").asText().equals(name)) {
        return v;
      }
    }
    throw new AssertionError("no variable " + name);
  }
}
