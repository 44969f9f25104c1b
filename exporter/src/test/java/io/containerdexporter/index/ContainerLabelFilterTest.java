package io.containerdexporter.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ContainerLabelFilterTest {

  @Test
  void offByDefault() {
    assertEquals(Map.of(), ContainerLabelFilter.NONE.select(Map.of("app", "web")));
  }

  @Test
  void keysMatchingInFullBecomeSanitizedContainerLabels() {
    ContainerLabelFilter filter =
        new ContainerLabelFilter(Optional.of(Pattern.compile("app|io\\.kubernetes\\..*")));
    Map<String, String> selected =
        filter.select(
            Map.of(
                "app",
                "web",
                "io.kubernetes.pod.name",
                "web-0",
                "application",
                "no",
                "team",
                "no"));
    assertEquals(
        List.of("container_label_app", "container_label_io_kubernetes_pod_name"),
        List.copyOf(selected.keySet()));
    assertEquals("web-0", selected.get("container_label_io_kubernetes_pod_name"));
  }

  @Test
  void twoKeysThatSanitizeAlikeKeepTheFirst() {
    ContainerLabelFilter filter = new ContainerLabelFilter(Optional.of(Pattern.compile(".*")));
    // "a-b" sorts before "a.b": the first key in order wins, whatever order the map came in.
    assertEquals(
        Map.of("container_label_a_b", "dash"), filter.select(Map.of("a.b", "dot", "a-b", "dash")));
  }
}
