package io.containerdexporter.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** alerts/*.rules.yml: the shipped alerting and recording rules, read as Prometheus reads them. */
public final class RuleFiles {

  /** One rule: {@code alert} or {@code record} set, with its expression and the rest as JSON. */
  public record Rule(String group, String alert, String record, String expr, JsonNode json) {}

  public static final String ALERTS = "alerts/containerd-exporter.rules.yml";
  public static final String RECORDING = "alerts/recording.rules.yml";

  private RuleFiles() {}

  public static Path path(String relative) {
    return DocumentedSeries.repoFile(relative);
  }

  public static List<Rule> rules(String relative) {
    JsonNode doc;
    try {
      doc = new ObjectMapper(new YAMLFactory()).readTree(path(relative).toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<Rule> rules = new ArrayList<>();
    for (JsonNode group : doc.path("groups")) {
      for (JsonNode r : group.path("rules")) {
        rules.add(
            new Rule(
                group.path("name").asText(),
                r.path("alert").asText(null),
                r.path("record").asText(null),
                r.path("expr").asText(),
                r));
      }
    }
    return rules;
  }
}
