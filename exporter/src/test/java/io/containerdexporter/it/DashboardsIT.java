package io.containerdexporter.it;

import static io.containerdexporter.it.NetworkedPod.CONTAINER;
import static io.containerdexporter.it.NetworkedPod.HELD;
import static io.containerdexporter.it.NetworkedPod.JOB;
import static io.containerdexporter.it.NetworkedPod.NAMESPACE;
import static io.containerdexporter.it.NetworkedPod.OOMER;
import static io.containerdexporter.it.NetworkedPod.POD;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.CriImagePuller;
import io.containerdexporter.dashboards.Dashboard;
import io.containerdexporter.dashboards.RuleFiles;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.Registry;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The dashboards and rules on real parts, in one run: one containerd sandbox, one CRI pod (a CPU
 * burner with limits and network traffic, a container whose child is OOM-killed, one that fails and
 * is restarted; a real registry with one image that pulls and one tag that does not), the real
 * exporter jar following containerd's log, and one real Prometheus scraping it every second with
 * the shipped alerting and recording rules loaded (a shorter {@code for:}, same expressions).
 * Dashboard 13105's cAdvisor panels, every query of our own dashboard, the alerts and the recording
 * rules are all asked of that one Prometheus.
 */
@ExtendWith(ContainerdExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardsIT {

  /** How long one query or alert may take to show what it must (the machine is loaded). */
  private static final Duration WAIT = Duration.ofSeconds(45);

  /**
   * Our dashboard's variables as a user would set them for the test pod: Grafana renders a
   * multi-value selection as a regex alternation, and "All" as the variables' allValue ".*"
   * (origin_prometheus and node are scrape labels this Prometheus does not set).
   */
  private static final Map<String, String> VARIABLES =
      new LinkedHashMap<>(
          Map.of(
              "$__rate_interval",
              "1m",
              "$origin_prometheus",
              ".*",
              "$Node",
              ".*",
              "$containerd_namespace",
              CriClient.K8S_NAMESPACE,
              "$NameSpace",
              NAMESPACE,
              "$Pod",
              POD,
              "$Container",
              "(" + CONTAINER + "|" + OOMER + "|" + JOB + ")"));

  /**
   * Panel queries that legitimately return nothing here, and why. Every other query must return a
   * series.
   */
  private static final Map<String, String> MAY_BE_EMPTY =
      Map.of(
          "Disk I/O",
          "this kernel charges no block I/O to cgroups (README: what this host can't show)",
          "Pressure (PSI)",
          "pressure stall information exists only on cgroup v2; this host is cgroup v1",
          "containerd's own pull count A",
          "containerd 1.6 has no CRI pull counter (1.7+); B, PullImage by gRPC code, is asserted");

  /** Repositories of the test's registry: one that pulls, one whose tag is missing. */
  private static final String PULLED = "shop/base";

  private static final String FAILING = "shop/web";

  private final ContainerdSandbox containerd;
  private long startedNanos;
  private long startedMillis;
  private NetworkedPod pod;
  private ExporterProcess exporter;
  private PrometheusServer prometheus;
  private Registry registry;

  DashboardsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @BeforeAll
  void startTheWorkloadTheExporterAndPrometheus() {
    startedNanos = System.nanoTime();
    startedMillis = System.currentTimeMillis();
    containerd.importBusybox(CriClient.K8S_NAMESPACE, NetworkedPod.BUSYBOX);
    containerd.importPause(CriClient.K8S_NAMESPACE);
    registry = Registry.start();
    registry.pushRandomImage(PULLED + ":1", 4096);
    // The exporter first: the workload's events arrive live, as on a node that runs it.
    exporter =
        ExporterProcess.start(
            containerd.socket(),
            "--poll.interval=1s",
            "--poll.timeout=1s",
            // The writable layer is measured once a minute by default: the storage panels wait
            // for the pod's writes, not for a minute.
            "--collector.writable-layer.interval=1s",
            "--pulls.log-file=" + containerd.daemonLog(),
            "--containerd.metrics-url=http://" + containerd.metricsAddress() + "/v1/metrics");
    prometheus =
        PrometheusServer.scraping(exporter.port(), Duration.ofSeconds(15), TestRuleCopies.both());
    pod = NetworkedPod.start(containerd);
    pullLikeKubelet();
  }

  /**
   * One image that pulls, and a tag that was never pushed, pulled twice as kubelet retries a failed
   * pull after its back-off: the second failure is what ImagePullFailing's increase sees.
   */
  private void pullLikeKubelet() {
    try (CriImagePuller cri = new CriImagePuller(containerd.socket())) {
      CriImagePuller.Outcome ok = cri.pull(registry.reference(PULLED + ":1"));
      assertTrue(ok.ok(), ok.message());
      String missing = registry.reference(FAILING + ":missing");
      assertEquals(Status.Code.NOT_FOUND, cri.pull(missing).code(), missing);
      awaitResult(
          "the first failure scraped",
          "containerd_image_pull_failures_total{repository=\"" + FAILING + "\"}",
          r -> true);
      assertEquals(Status.Code.NOT_FOUND, cri.pull(missing).code(), missing);
    }
  }

  @AfterAll
  void stop() {
    try (AutoCloseable r = registry;
        AutoCloseable p = prometheus;
        AutoCloseable e = exporter;
        AutoCloseable w = pod) {
      // closed in reverse order
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      System.out.printf(
          "[dashboards-it] wall time %.1f s%n", (System.nanoTime() - startedNanos) / 1e9);
    }
  }

  @Test
  @Order(1)
  void theCadvisorPanelsOfDashboard13105HaveDataForACriPod() {
    List<String> seen = new ArrayList<>();
    for (Dashboard13105Queries.Query q : Dashboard13105Queries.queries(pod.gateway())) {
      seen.add(Dashboard13105Queries.evaluate(prometheus, exporter, q));
    }
    // The values, for the record: a reviewer can compare them with what the pod was given.
    System.out.println("[13105] " + String.join("\n[13105] ", seen));
  }

  @Test
  @Order(2)
  void everyVariableOfOurDashboardHasTheTestPodsValues() {
    Map<String, String> want =
        Map.of(
            "containerd_namespace", CriClient.K8S_NAMESPACE,
            "NameSpace", NAMESPACE,
            "Container", CONTAINER,
            "Pod", POD);
    for (Dashboard.Variable v : Dashboard.load().queryVariables()) {
      if (!want.containsKey(v.name())) {
        continue; // origin_prometheus, Node: labels of a relabelling this Prometheus does not do
      }
      String query = "count by (" + v.label() + ") (" + substitute(v.selector()) + ")";
      awaitResult(
          "variable " + v.name() + ": " + query,
          query,
          r -> values(r, v.label()).contains(want.get(v.name())));
    }
  }

  @Test
  @Order(3)
  void everyQueryOfOurDashboardReturnsData() {
    List<String> empty = new ArrayList<>();
    for (Dashboard.Query q : Dashboard.load().queries()) {
      String expr = substitute(q.expr());
      String key = MAY_BE_EMPTY.containsKey(q.panel()) ? q.panel() : q.panel() + " " + q.refId();
      if (MAY_BE_EMPTY.containsKey(key)) {
        System.out.println("[dashboard] may be empty: " + key + " (" + MAY_BE_EMPTY.get(key) + ")");
        continue;
      }
      try {
        JsonNode r = awaitResult(q.row() + " / " + key, expr, x -> true);
        System.out.println("[dashboard] " + key + ": " + r.size() + " series");
      } catch (AssertionError e) {
        empty.add(key + ": " + expr);
      }
    }
    assertEquals(List.of(), empty, "panel queries without data");
  }

  @Test
  @Order(4)
  void theOomPullAndThrottlingAlertsFireWithTheirLabelsAndNothingElseFires() {
    Map<String, String> oomer =
        Map.of(
            "namespace", NAMESPACE,
            "pod", POD,
            "container", OOMER,
            "containerd_namespace", CriClient.K8S_NAMESPACE,
            "severity", "warning");
    awaitFiring("ContainerOOMKilled", oomer);
    awaitFiring(
        "ImagePullFailing",
        Map.of(
            "registry",
            registry.address(),
            "repository",
            FAILING,
            "reason",
            "not_found",
            "containerd_namespace",
            CriClient.K8S_NAMESPACE,
            "severity",
            "warning"));
    awaitFiring(
        "ContainerCPUThrottlingHigh",
        Map.of("namespace", NAMESPACE, "pod", POD, "container", CONTAINER, "severity", "info"));
    // Nothing else: containerd, the exporter and its event stream are up, the job restarted once.
    List<String> unexpected = new ArrayList<>();
    for (JsonNode a : prometheus.alerts()) {
      String name = a.path("labels").path("alertname").asText();
      String container = a.path("labels").path("container").asText();
      boolean expected =
          name.equals("ContainerOOMKilled") && container.equals(OOMER)
              || name.equals("ContainerCPUThrottlingHigh") && container.equals(CONTAINER)
              || name.equals("ImagePullFailing")
                  && a.path("labels").path("repository").asText().equals(FAILING)
              // the oomer's child fills its limit before the kernel kills it
              || name.equals("ContainerMemoryNearLimit") && container.equals(OOMER);
      if (!expected) {
        unexpected.add(a.toString());
      }
    }
    assertEquals(List.of(), unexpected, "alerts that should not fire");
    for (String name :
        List.of("ContainerdDown", "ContainerdExporterDown", "ContainerCrashLooping")) {
      assertTrue(
          RuleFiles.rules(RuleFiles.ALERTS).stream().anyMatch(r -> name.equals(r.alert())), name);
    }
  }

  @Test
  @Order(5)
  void theRecordingRulesGiveTheTestPodsSeries() {
    String pod = "{namespace=\"" + NAMESPACE + "\",pod=\"" + POD + "\",container=\"" + CONTAINER;
    Map<String, Predicate<Double>> records =
        Map.of(
            "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_irate", v -> v > 0,
            "node_namespace_pod_container:container_cpu_usage_seconds_total:sum_rate5m", v -> v > 0,
            "node_namespace_pod_container:container_memory_working_set_bytes", v -> v >= HELD,
            "node_namespace_pod_container:container_memory_rss", v -> v >= HELD,
            "node_namespace_pod_container:container_memory_cache", v -> v >= 0,
            "node_namespace_pod_container:container_memory_swap", v -> v >= 0);
    assertEquals(
        RuleFiles.rules(RuleFiles.RECORDING).size(), records.size(), "every recording rule");
    records.forEach(
        (name, ok) ->
            awaitResult(
                name + " for the test pod",
                name + pod + "\"}",
                r -> r.size() == 1 && ok.test(r.get(0).path("value").path(1).asDouble())));
  }

  @Test
  @Order(6)
  void picturesOfEveryRow() {
    if (!Boolean.getBoolean("dashboard.pictures")) {
      System.out.println("[dashboard] pictures: -Ddashboard.pictures=true renders docs/dashboard/");
      return;
    }
    // Grafana's $__rate_interval for a 1 s scrape over a few minutes: 4 scrape intervals.
    DashboardPictures.render(
        prometheus,
        Dashboard.load(),
        expr -> substitute(expr.replace("$__rate_interval", "4s")),
        Path.of("..", "docs", "dashboard"),
        startedMillis);
  }

  private void awaitFiring(String alert, Map<String, String> labels) {
    Await.until(
        WAIT,
        alert + " firing with " + labels,
        prometheus::alerts,
        alerts -> {
          for (JsonNode a : alerts) {
            boolean match =
                alert.equals(a.path("labels").path("alertname").asText())
                    && "firing".equals(a.path("state").asText())
                    && labels.entrySet().stream()
                        .allMatch(
                            l -> l.getValue().equals(a.path("labels").path(l.getKey()).asText()));
            if (match) {
              return true;
            }
          }
          return false;
        });
  }

  private JsonNode awaitResult(String what, String query, Predicate<JsonNode> ok) {
    return Await.until(WAIT, what, () -> prometheus.query(query), r -> !r.isEmpty() && ok.test(r));
  }

  private String substitute(String expr) {
    String out = expr;
    for (Map.Entry<String, String> v : VARIABLES.entrySet()) {
      out = out.replace(v.getKey(), v.getValue());
    }
    return out;
  }

  private static List<String> values(JsonNode result, String label) {
    List<String> out = new ArrayList<>();
    result.forEach(s -> out.add(s.path("metric").path(label).asText()));
    return out;
  }
}
