package io.containerdexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.collect.CollectorState;
import io.containerdexporter.collect.PollResult;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.model.ContainerdStatus;
import io.containerdexporter.model.ContainerdVersion;
import io.containerdexporter.model.RecentEvent;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class NodeTopTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

  private final ContainerdStatus status =
      new ContainerdStatus(true, Optional.of(new ContainerdVersion("1.6.20", "rev1")), T0);

  @Test
  void ranksContainersByCpuRateBetweenRoundsAndByWorkingSet() throws Exception {
    NodeTop top =
        new NodeTop(
            () -> status,
            () -> true,
            NodeTop.Recent.NONE,
            WebServerTest.loopbackConfig(),
            Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC));
    top.update(round(T0, Map.of("a", 1.0, "b", 1.0, "c", 1.0), 0));
    TopData first = top.current();
    assertTrue(first.topCpu().isEmpty(), "no rate after one round");
    assertEquals(List.of("c", "b", "a"), ids(first.topMemory()));

    // 15 s later: a used 3 s of CPU (0.2 cores), b 7.5 s (0.5 cores), c none
    top.update(round(T0.plusSeconds(15), Map.of("a", 4.0, "b", 8.5, "c", 1.0), 0));
    TopData second = top.current();
    assertEquals(List.of("b", "a", "c"), ids(second.topCpu()));
    assertEquals(0.5, second.topCpu().get(0).cpuCores(), 1e-9);
    assertEquals(0.2, second.topCpu().get(1).cpuCores(), 1e-9);
    assertEquals("pod-b", second.topCpu().get(0).pod());
    assertEquals("default", second.topCpu().get(0).namespace());

    TopData.Namespace k8s = second.namespaces().get(0);
    assertEquals("k8s.io", k8s.name());
    assertEquals(3L, k8s.tasks().get("running"));
    assertEquals(4L, k8s.containers());
    assertEquals(2L, k8s.images());
    assertEquals(1L, k8s.pullsInFlight());
    assertEquals(0L, k8s.pullsStalled());
    assertEquals(1, second.collectors().size());
    assertEquals(15.0, second.collectors().get(0).ageSeconds(), 1e-9);
    assertTrue(second.containerd().up());
    assertEquals("1.6.20", second.containerd().version());
    assertEquals(30.0 + 3600, second.containerd().uptimeSeconds(), 1e-9);
    assertEquals(64.0 * 1024 * 1024, second.containerd().residentMemoryBytes());
    assertTrue(second.eventStream().up());
    assertEquals("15s", second.flags().get("poll.interval"), "as the flag is spelled");

    JsonNode json = new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(second));
    assertEquals("b", json.path("topCpu").path(0).path("id").asText());
    assertEquals(0.5, json.path("topCpu").path(0).path("cpuCores").asDouble(), 1e-9);
  }

  @Test
  void aCounterResetGivesNoRate() {
    NodeTop top =
        new NodeTop(
            () -> status,
            () -> false,
            NodeTop.Recent.NONE,
            WebServerTest.loopbackConfig(),
            Clock.systemUTC());
    top.update(round(T0, Map.of("a", 5.0), 0));
    top.update(round(T0.plusSeconds(15), Map.of("a", 1.0), 0));
    assertTrue(top.current().topCpu().isEmpty());
    assertNull(top.current().containerd().cpuCores());
  }

  @Test
  void everyValueOnThePageIsEscaped() {
    RecentEvent oom =
        new RecentEvent(
            T0.toString(), "k8s.io", "shop", "pod-<i>", "<img src=x>", "oom1", "OOM killed", false);
    NodeTop top =
        new NodeTop(
            () -> status,
            () -> true,
            new NodeTop.Recent(() -> List.of(oom), List::of, List::of),
            WebServerTest.loopbackConfig(),
            Clock.systemUTC());
    top.update(round(T0, Map.of("<b>x</b>", 1.0), 0));
    top.update(round(T0.plusSeconds(15), Map.of("<b>x</b>", 2.0), 0));
    String html =
        new LandingPage(new BuildInfo("1", "r", "17"), "/metrics", 15000, top::current)
            .render(top.current());
    assertFalse(html.contains("<b>x</b>"), html);
    assertTrue(html.contains("&lt;b&gt;x&lt;/b&gt;"));
    assertFalse(html.contains("<script>alert"), "the pod name's script tag is escaped");
    assertTrue(html.contains("pod-&lt;script&gt;alert(1)&lt;/script&gt;"));
    assertTrue(html.contains("href=\"/metrics\""));
    assertTrue(html.contains("1.6.20"));
    assertTrue(html.contains("&lt;img src=x&gt;</td><td>pod-&lt;i&gt;</td>"), html);
    assertEquals("oom1", top.current().recentOoms().get(0).id());
    assertTrue(html.contains("&lt;img src=x&gt;</td><td>pod-&lt;i&gt;</td>"), html);
    assertEquals("oom1", top.current().recentOoms().get(0).id());
  }

  @Test
  void aKubernetesContainerIsNamedByItsContainerNameASandboxAsSuchAndAPlainOneByItsId()
      throws Exception {
    String appId = "343b03f825cbcfff2ea0702eb2650152d6703ecffc7d740ca3bcfa097dfb72a2";
    String sandboxId = "9f2e0c6d1a7b4e3f8c5d2a1b0e9f8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f10";
    GaugeSnapshot.Builder ws = GaugeSnapshot.builder().name("container_memory_working_set_bytes");
    ws.dataPoint(workingSet(appId, "k8s.io", "shop", "api-0", "app", 3e6));
    ws.dataPoint(workingSet(sandboxId, "k8s.io", "shop", "api-0", "", 2e6));
    ws.dataPoint(workingSet("busy", "default", "", "", "", 1e6));
    List<Family> families = List.of(Family.of(ws.build()));
    CollectorState state =
        new CollectorState("task-stats", true, Duration.ofMillis(20), Optional.of(T0), 0, families);
    NodeTop top = nodeTop(NodeTop.Recent.NONE, Clock.fixed(T0, ZoneOffset.UTC));
    top.update(new PollResult(Map.of("task-stats", state), Duration.ofMillis(25), families));

    List<TopData.ContainerRow> rows = top.current().topMemory();
    assertEquals(
        List.of("app", "pod sandbox", "busy"), rows.stream().map(r -> r.displayName()).toList());
    assertEquals(
        List.of(
            TopData.ContainerRow.Kind.KUBERNETES,
            TopData.ContainerRow.Kind.SANDBOX,
            TopData.ContainerRow.Kind.PLAIN),
        rows.stream().map(TopData.ContainerRow::kind).toList());
    assertEquals(
        List.of("343b03f825cb", "9f2e0c6d1a7b", "busy"),
        rows.stream().map(r -> r.shortId()).toList());
    assertEquals(appId, rows.get(0).name(), "the full id stays");

    String html =
        new LandingPage(new BuildInfo("1", "r", "17"), "/metrics", 15000, top::current)
            .render(top.current());
    assertTrue(
        html.contains(">app <small class=\"id\">343b03f825cb</small></td><td>api-0</td>"), html);
    assertTrue(html.contains(">pod sandbox <small class=\"id\">9f2e0c6d1a7b</small></td>"), html);
    assertTrue(html.contains(">busy</td><td></td>"), "a plain container: its id, no second id");
    assertFalse(html.contains(">" + appId + "<"), "no 64-hex id as a name");

    JsonNode json =
        new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(top.current()));
    JsonNode app = json.path("topMemory").path(0);
    assertEquals("app", app.path("displayName").asText());
    assertEquals("343b03f825cb", app.path("shortId").asText());
    assertEquals("kubernetes", app.path("kind").asText());
    assertEquals(appId, app.path("name").asText(), "the existing fields stay");
    assertEquals("app", app.path("container").asText());
    assertEquals("sandbox", json.path("topMemory").path(1).path("kind").asText());
  }

  private NodeTop nodeTop(NodeTop.Recent recent, Clock clock) {
    return new NodeTop(() -> status, () -> true, recent, WebServerTest.loopbackConfig(), clock);
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot workingSet(
      String id,
      String containerdNamespace,
      String namespace,
      String pod,
      String container,
      double bytes) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder()
        .labels(
            Labels.of(
                "containerd_namespace",
                containerdNamespace,
                "id",
                "/" + containerdNamespace + "/" + id,
                "name",
                id,
                "namespace",
                namespace,
                "pod",
                pod,
                "container",
                container))
        .value(bytes)
        .build();
  }

  @Test
  void aRecoveredOomSaysSoOnThePageAndInTheJson() throws Exception {
    RecentEvent found =
        new RecentEvent(
            T0.toString(),
            "k8s.io",
            "shop",
            "web-0",
            "web",
            "c1",
            "OOM killed (recovered: no event, counted from the cgroup's oom_kill)",
            true);
    NodeTop top =
        nodeTop(new NodeTop.Recent(() -> List.of(found), List::of, List::of), Clock.systemUTC());
    String html =
        new LandingPage(new BuildInfo("1", "r", "17"), "/metrics", 15000, top::current)
            .render(top.current());
    assertTrue(html.contains("data-id=\"c1\" data-recovered=\"true\"><td title="), html);
    assertTrue(html.contains("(recovered: no event, counted from the cgroup&#39;s oom_kill)"));
    JsonNode json =
        new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(top.current()));
    assertTrue(json.path("recentOoms").path(0).path("recovered").asBoolean());
  }

  @Test
  void shimsPerNamespaceWithTheLeakedOnesAndAnInvisibleContainerdSaysSo() throws Exception {
    List<MetricSnapshot> visible =
        List.of(
            gauge("containerd_process_visible", 1, new String[0]),
            gauge("containerd_process_open_fds", 57, new String[0]),
            gauge("containerd_process_threads", 14, new String[0]),
            GaugeSnapshot.builder()
                .name("containerd_shims")
                .dataPoint(shims("k8s.io", "io.containerd.runc.v2", 3))
                .dataPoint(shims("k8s.io", "io.containerd.kata.v2", 1))
                .build(),
            gauge(
                "containerd_shims_leaked",
                1,
                "containerd_namespace",
                "k8s.io",
                "runtime",
                "io.containerd.runc.v2"),
            gauge(
                "containerd_shims_resident_memory_bytes",
                8 * 1024 * 1024,
                "containerd_namespace",
                "k8s.io",
                "runtime",
                "io.containerd.runc.v2"));
    NodeTop top = nodeTop(NodeTop.Recent.NONE, Clock.fixed(T0, ZoneOffset.UTC));
    top.update(processRound(visible));
    TopData t = top.current();
    assertEquals(4L, t.namespaces().get(0).shims());
    assertEquals(1L, t.namespaces().get(0).shimsLeaked());
    assertEquals(57L, t.containerd().openFds());
    assertEquals(14L, t.containerd().threads());
    assertEquals(8.0 * 1024 * 1024, t.containerd().shimsResidentMemoryBytes());
    String html = page(top);
    assertTrue(html.contains("4 <span class=\"bad\">(1 leaked)</span>"), html);
    assertTrue(html.contains("<td>57, 14</td>"), html);
    assertTrue(html.contains("<td>8.0 MiB</td>"), html);
    assertFalse(html.contains("process-invisible"), html);

    // the exporter in another pid namespace: the collector serves visible 0 and nothing else
    top.update(processRound(List.of(gauge("containerd_process_visible", 0, new String[0]))));
    assertEquals(Boolean.FALSE, top.current().containerd().processVisible());
    assertNull(top.current().containerd().shimsResidentMemoryBytes(), "unknown, not zero");
    assertTrue(page(top).contains("id=\"process-invisible\">not visible under --path.procfs"));
    JsonNode json =
        new ObjectMapper().readTree(new ObjectMapper().writeValueAsString(top.current()));
    assertFalse(json.path("containerd").path("processVisible").asBoolean(true));
  }

  private static PollResult processRound(List<MetricSnapshot> snapshots) {
    List<Family> families = snapshots.stream().map(Family::of).toList();
    CollectorState state =
        new CollectorState(
            "containerd-process", true, Duration.ofMillis(5), Optional.of(T0), 0, families);
    return new PollResult(Map.of("containerd-process", state), Duration.ofMillis(6), families);
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot shims(
      String containerdNamespace, String runtime, double count) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder()
        .labels(Labels.of("containerd_namespace", containerdNamespace, "runtime", runtime))
        .value(count)
        .build();
  }

  private static String page(NodeTop top) {
    return new LandingPage(new BuildInfo("1", "r", "17"), "/metrics", 15000, top::current)
        .render(top.current());
  }

  @Test
  void thePageNeedsNothingFromOutsideAndReloadsItselfEveryPollInterval() {
    NodeTop top = nodeTop(NodeTop.Recent.NONE, Clock.fixed(T0, ZoneOffset.UTC));
    top.update(round(T0, Map.of("a", 1.0), 0));
    String html = page(top);
    for (String external : List.of("<link", "<img", "src=", "@import", "url(")) {
      assertFalse(html.contains(external), "no external asset (" + external + "): " + html);
    }
    assertTrue(
        html.contains("<script>setTimeout(function(){location.reload()},15000);</script>"), html);
    assertTrue(html.indexOf("<script>") > html.indexOf("id=\"links\""), "the data comes first");
  }

  /** One round: a single collector that read every family at {@code at}. */
  private static PollResult round(Instant at, Map<String, Double> cpuById, int stalled) {
    CounterSnapshot.Builder cpu = CounterSnapshot.builder().name("container_cpu_usage_seconds");
    GaugeSnapshot.Builder ws = GaugeSnapshot.builder().name("container_memory_working_set_bytes");
    int i = 1;
    for (Map.Entry<String, Double> e : new java.util.TreeMap<>(cpuById).entrySet()) {
      String pod =
          e.getKey().startsWith("<") ? "pod-<script>alert(1)</script>" : "pod-" + e.getKey();
      Labels l =
          Labels.of(
              "containerd_namespace",
              "k8s.io",
              "id",
              e.getKey(),
              "name",
              e.getKey(),
              "namespace",
              "default",
              "pod",
              pod,
              "container",
              e.getKey());
      cpu.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder().labels(l).value(e.getValue()).build());
      ws.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder().labels(l).value(i++ * 1e6).build());
    }
    List<Family> families =
        Stream.<MetricSnapshot>of(
                cpu.build(),
                ws.build(),
                gauge("containerd_tasks", 3, "containerd_namespace", "k8s.io", "status", "running"),
                gauge("containerd_containers", 4, "containerd_namespace", "k8s.io"),
                gauge("containerd_images", 2, "containerd_namespace", "k8s.io"),
                gauge("containerd_content_ingests", 1, "containerd_namespace", "k8s.io"),
                gauge(
                    "containerd_content_ingests_stalled",
                    stalled,
                    "containerd_namespace",
                    "k8s.io"),
                gauge(
                    "containerd_process_start_time_seconds",
                    T0.getEpochSecond() - 3600,
                    new String[0]),
                gauge("containerd_process_resident_memory_bytes", 64 * 1024 * 1024, new String[0]))
            .map(Family::of)
            .toList();
    CollectorState state =
        new CollectorState("task-stats", true, Duration.ofMillis(20), Optional.of(at), 0, families);
    return new PollResult(Map.of("task-stats", state), Duration.ofMillis(25), families);
  }

  private static GaugeSnapshot gauge(String name, double value, String... labels) {
    return GaugeSnapshot.builder()
        .name(name)
        .dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(Labels.of(labels))
                .value(value)
                .build())
        .build();
  }

  private static List<String> ids(List<TopData.ContainerRow> rows) {
    return rows.stream().map(TopData.ContainerRow::id).toList();
  }
}
