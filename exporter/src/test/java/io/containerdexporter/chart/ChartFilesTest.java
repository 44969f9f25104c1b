package io.containerdexporter.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PrometheusRule and the dashboard ConfigMap are the repository's alerts/ and dashboards/
 * files: the chart links to them (no copy to keep in sync by hand), and what helm renders from them
 * is equal to them.
 */
class ChartFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path temp;

  @Test
  void theChartLinksToTheRepositorysFiles() throws IOException {
    for (LinkedFile linked : LinkedFile.ALL) {
      Path link = RepositoryFiles.chart().resolve(linked.inChart());
      assertTrue(Files.isSymbolicLink(link), link + " must be a link, not a copy");
      Path resolved = link.getParent().resolve(Files.readSymbolicLink(link)).normalize();
      assertEquals(linked.sourceIn(RepositoryFiles.root()), resolved, link.toString());
    }
  }

  @Test
  void thePrometheusRuleHoldsTheAlertAndRecordingGroupsAsTheyAre() throws IOException {
    ChartUnderTest chart = ChartUnderTest.copyInto(temp.resolve("rules"));
    PrometheusRule rule =
        KubernetesObjects.parse(chart.template(ChartTest.EVERYTHING)).one(PrometheusRule.class);
    ArrayNode want = JSON.createArrayNode();
    want.addAll((ArrayNode) groups(chart, "files/containerd-exporter.rules.yml"));
    want.addAll((ArrayNode) groups(chart, "files/recording.rules.yml"));
    assertEquals(want, JSON.valueToTree(rule.getSpec().getGroups()));
  }

  @Test
  void recordingRulesAreOffByDefault() throws IOException {
    ChartUnderTest chart = ChartUnderTest.copyInto(temp.resolve("alerts-only"));
    Path alertsOnly = temp.resolve("alerts-only.yaml");
    Files.writeString(alertsOnly, "prometheusRule:\n  enabled: true\n");
    PrometheusRule rule =
        KubernetesObjects.parse(chart.template(alertsOnly)).one(PrometheusRule.class);
    assertEquals(
        groups(chart, "files/containerd-exporter.rules.yml"),
        JSON.valueToTree(rule.getSpec().getGroups()));
  }

  @Test
  void theDashboardConfigMapHoldsTheDashboardFileAsItIs() throws IOException {
    ChartUnderTest chart = ChartUnderTest.copyInto(temp.resolve("dashboard"));
    ConfigMap map =
        KubernetesObjects.parse(chart.template(ChartTest.EVERYTHING)).one(ConfigMap.class);
    assertEquals("1", map.getMetadata().getLabels().get("grafana_dashboard"));
    String want = Files.readString(chart.dir().resolve("files/containerd-exporter.json"));
    assertEquals(want.stripTrailing() + "\n", map.getData().get("containerd-exporter.json"));
    assertTrue(JSON.readTree(map.getData().get("containerd-exporter.json")).isObject());
  }

  @Test
  void helmFollowsTheRepositoryChartsLinks() {
    // While issue 12's files are not in this tree yet, the links dangle and helm refuses the chart
    // (the copies above render placeholders); from then on helm must read them through the links.
    boolean sourcesExist =
        LinkedFile.ALL.stream().allMatch(l -> Files.exists(l.sourceIn(RepositoryFiles.root())));
    if (!sourcesExist) {
      return;
    }
    String fromRepository =
        new Helm(RepositoryFiles.chart())
            .template()
            .withName(ChartUnderTest.RELEASE)
            .withNamespace(ChartUnderTest.NAMESPACE)
            .withValuesFile(ChartTest.EVERYTHING)
            .call();
    String fromCopy = ChartUnderTest.copyInto(temp.resolve("links")).template(ChartTest.EVERYTHING);
    assertEquals(fromCopy, fromRepository);
  }

  private static JsonNode groups(ChartUnderTest chart, String file) throws IOException {
    return YAML.readTree(chart.dir().resolve(file).toFile()).get("groups");
  }
}
