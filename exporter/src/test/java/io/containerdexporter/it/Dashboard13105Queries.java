package io.containerdexporter.it;

import static io.containerdexporter.it.NetworkedPod.CONTAINER;
import static io.containerdexporter.it.NetworkedPod.CPU_PERIOD;
import static io.containerdexporter.it.NetworkedPod.CPU_QUOTA;
import static io.containerdexporter.it.NetworkedPod.HELD;
import static io.containerdexporter.it.NetworkedPod.MEMORY_LIMIT;
import static io.containerdexporter.it.NetworkedPod.NAMESPACE;
import static io.containerdexporter.it.NetworkedPod.POD;
import static io.containerdexporter.it.NetworkedPod.WRITTEN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;

/**
 * Grafana dashboard 13105 ("K8S Dashboard CN 20240513 StarsL.cn", starsliao/Prometheus, file {@code
 * kubernetes/K8S Dashboard CN 20240513 StarsL.cn-1715536276053.json}) against the real exporter,
 * scraped by a real Prometheus: every panel expression that needs only cAdvisor series must return
 * data, with the CRI pod's identity and the values the pod was given.
 *
 * <p>The expressions are the dashboard's own, changed only where they cannot apply without other
 * exporters: the {@code origin_prometheus} and {@code node} matchers (scrape relabeling) are
 * dropped, the kube-state-metrics joins and ratios ({@code kube_node_status_allocatable}, {@code *
 * on(pod) group_right kube_pod_container_info}) are cut off leaving the cAdvisor side, two "top N"
 * thresholds ({@code > 0.5} cores, {@code > 1G}) are dropped because a test pod is far below them,
 * and the template variables $NameSpace/$Pod/$Container are filled in with the test pod.
 *
 * <p>The pod has a network namespace of its own (a CNI bridge, Debian's containernetworking-plugins
 * in /usr/lib/cni): the network panels sum {@code container_network_*} by pod, which only a sandbox
 * outside the host's namespace has.
 */
final class Dashboard13105Queries {

  private static final Duration QUERY_WAIT = Duration.ofSeconds(15);

  private Dashboard13105Queries() {}

  /**
   * One dashboard query: the panel it comes from, the series it must return, and what its value
   * must be.
   */
  record Query(
      String panel, String expr, Map<String, String> labels, String want, DoublePredicate ok) {}

  static List<Query> queries(String gateway) {
    // The dashboard's template variables, filled in with the test pod ($NameSpace, $Pod,
    // $Container).
    String s =
        "pod=~\""
            + POD
            + "\",container =~\""
            + CONTAINER
            + "\",container !=\"\",container!=\"POD\","
            + "namespace=~\""
            + NAMESPACE
            + "\"";
    String byContainer =
        "container =~\""
            + CONTAINER
            + "\",container !=\"\",container!=\"POD\",namespace=~\""
            + NAMESPACE
            + "\"";
    Map<String, String> none = Map.of();
    Map<String, String> ours = Map.of("namespace", NAMESPACE, "pod", POD, "container", CONTAINER);
    Map<String, String> ourPod = Map.of("pod", POD);
    Map<String, String> ourContainer = Map.of("container", CONTAINER);
    double cpus = Runtime.getRuntime().availableProcessors();
    double quotaCores = (double) CPU_QUOTA / CPU_PERIOD;
    return List.of(
        // ---- node overview (节点资源总览): the root cgroup id="/" and the sum over all containers
        new Query(
            "节点CPU核数 / CPU使用核【$Node】 (node CPU cores used)",
            "sum (irate(container_cpu_usage_seconds_total{id=\"/\"}[2m]))",
            none,
            "> 0 and <= " + cpus + " cores",
            v -> v > 0 && v <= cpus * 1.1),
        new Query(
            "节点CPU比例 / $Node：节点信息明细 (CPU used by containers; allocatable divisor dropped)",
            "sum (irate(container_cpu_usage_seconds_total{container!=\"\"}[2m])) by (node)",
            none,
            "> 0",
            v -> v > 0 && v <= cpus * 1.1),
        new Query(
            "节点内存信息 / 内存使用量【$Node】 (working set of all containers)",
            "sum (container_memory_working_set_bytes{container!=\"\"})",
            none,
            ">= what the pod holds",
            v -> v >= HELD),
        new Query(
            "节点存储信息 (node disk usage ratio)",
            "sum (container_fs_usage_bytes{device=~\"^/dev/.*$\",id=\"/\"}) / sum (container_fs_limit_bytes{"
                + "device=~\"^/dev/.*$\",id=\"/\"})",
            none,
            "in (0, 1]",
            v -> v > 0 && v <= 1),
        new Query(
            "节点存储信息 (node disk used)",
            "sum (container_fs_usage_bytes{device=~\"^/dev/.*$\",id=\"/\"})",
            none,
            "> 0",
            v -> v > 0),
        new Query(
            "节点存储信息 (node disk size)",
            "sum (container_fs_limit_bytes{device=~\"^/dev/.*$\",id=\"/\"})",
            none,
            "> 0",
            v -> v > 0),
        // ---- per namespace (top lists; their "> 0.5" and "> 1G" thresholds dropped)
        new Query(
            "各命名空间CPU使用核 (CPU cores per namespace)",
            "sum(irate(container_cpu_usage_seconds_total{container !=\"\",container!=\"POD\"}[2m])) by (namespace)",
            Map.of("namespace", NAMESPACE),
            "> 0 and <= the quota",
            v -> v > 0 && v <= quotaCores * 1.5),
        new Query(
            "命名空间WSS内存使用 (working set per namespace)",
            "sum (container_memory_working_set_bytes{container !=\"\",container!=\"POD\"}) by (namespace)",
            Map.of("namespace", NAMESPACE),
            ">= held, <= limit",
            v -> v >= HELD && v <= MEMORY_LIMIT),
        // ---- $Node：Pod资源明细 (the per-container table)
        new Query(
            "Pod资源明细: CPU使用率 (usage / quota)",
            "sum(irate(container_cpu_usage_seconds_total{"
                + s
                + "}[2m])) by (container, pod,node,namespace) / "
                + "(sum(container_spec_cpu_quota{"
                + s
                + "}/100000) by (container, pod,node,namespace))",
            ours,
            "in (0, 1.5]",
            v -> v > 0 && v <= 1.5),
        new Query(
            "Pod资源明细: quota in cores (the divisor above)",
            "sum(container_spec_cpu_quota{" + s + "}/100000) by (container, pod,node,namespace)",
            ours,
            "== " + quotaCores,
            v -> v == quotaCores),
        new Query(
            "Pod资源明细: CPU使用核",
            "sum(irate(container_cpu_usage_seconds_total{"
                + s
                + "}[2m])) by (container, pod,node,namespace)",
            ours,
            "> 0 and <= the quota",
            v -> v > 0 && v <= quotaCores * 1.5),
        new Query(
            "Pod资源明细: WSS使用率 (working set / limit)",
            "sum (container_memory_working_set_bytes{"
                + s
                + "}) by (container, pod,node,namespace)/ "
                + "sum(container_spec_memory_limit_bytes{"
                + s
                + "}) by (container, pod,node,namespace)",
            ours,
            "in (held/limit, 1]",
            v -> v >= (double) HELD / MEMORY_LIMIT && v <= 1),
        new Query(
            "Pod资源明细: WSS内存",
            "sum (container_memory_working_set_bytes{"
                + s
                + "}) by (container, pod,node,namespace)",
            ours,
            ">= held, <= limit",
            v -> v >= HELD && v <= MEMORY_LIMIT),
        new Query(
            "Pod资源明细: RSS使用率 (rss / limit)",
            "sum (container_memory_rss{"
                + s
                + "}) by (container, pod,node,namespace)/ "
                + "sum(container_spec_memory_limit_bytes{"
                + s
                + "}) by (container, pod,node,namespace)",
            ours,
            "in (held/limit, 1]",
            v -> v >= (double) HELD / MEMORY_LIMIT && v <= 1),
        new Query(
            "Pod资源明细: RSS内存",
            "sum (container_memory_rss{" + s + "}) by (container, pod,node,namespace)",
            ours,
            ">= held, <= limit",
            v -> v >= HELD && v <= MEMORY_LIMIT),
        new Query(
            "Pod资源明细: 存储使用 (writable layer)",
            "sum(container_fs_usage_bytes{" + s + "}) by (container,pod,node,namespace)",
            ours,
            ">= written",
            v -> v >= WRITTEN),
        new Query(
            "Pod资源明细: 存储上限",
            "sum(container_fs_limit_bytes{" + s + "}) by (container,pod,node,namespace)",
            ours,
            "> written",
            v -> v > WRITTEN),
        new Query(
            "Pod资源明细: 网络接收 (kube_pod_container_info join dropped)",
            "sum(irate(container_network_receive_bytes_total{pod=~\""
                + POD
                + "\",namespace=~\""
                + NAMESPACE
                + "\"}[2m])) by (pod) *8",
            ourPod,
            "> 0 bit/s (the pod pings " + gateway + ")",
            v -> v > 0),
        new Query(
            "Pod资源明细: 网络发送 (kube_pod_container_info join dropped)",
            "sum(irate(container_network_transmit_bytes_total{pod=~\""
                + POD
                + "\",namespace=~\""
                + NAMESPACE
                + "\"}[2m])) by (pod) *8",
            ourPod,
            "> 0 bit/s",
            v -> v > 0),
        // ---- the per-container graphs
        new Query(
            "Pod容器CPU使用率(最大100%)",
            "max(irate(container_cpu_usage_seconds_total{"
                + s
                + "}[2m])) by (container, pod) / "
                + "(max(container_spec_cpu_quota{"
                + s
                + "}/100000) by (container, pod)) * 100",
            Map.of("pod", POD, "container", CONTAINER),
            "in (0, 150] %",
            v -> v > 0 && v <= 150),
        new Query(
            "Pod容器内存使用率 (WSS)",
            "max (container_memory_working_set_bytes{"
                + s
                + "}) by (container, pod)/ "
                + "max(container_spec_memory_limit_bytes{"
                + s
                + "}) by (container, pod) * 100",
            Map.of("pod", POD, "container", CONTAINER),
            "in (0, 100] %",
            v -> v > 0 && v <= 100),
        new Query(
            "Pod容器内存使用率 (RSS)",
            "max (container_memory_rss{"
                + s
                + "}) by (container, pod)/ "
                + "max(container_spec_memory_limit_bytes{"
                + s
                + "}) by (container, pod) * 100",
            Map.of("pod", POD, "container", CONTAINER),
            "in (0, 100] %",
            v -> v > 0 && v <= 100),
        new Query(
            "Pod容器CPU核使用",
            "max(irate(container_cpu_usage_seconds_total{"
                + s
                + "}[2m])) by (container, pod,node,namespace)",
            ours,
            "> 0 and <= the quota",
            v -> v > 0 && v <= quotaCores * 1.5),
        // ---- network overview for the namespace, and per node (by (node) stays: no node label,
        // one series)
        new Query(
            "$NameSpace：网络总览 (receive)",
            "sum (irate(container_network_receive_bytes_total{namespace=~\""
                + NAMESPACE
                + "\"}[2m]))*8",
            none,
            "> 0 bit/s",
            v -> v > 0),
        new Query(
            "$NameSpace：网络总览 (transmit)",
            "sum (irate(container_network_transmit_bytes_total{namespace=~\""
                + NAMESPACE
                + "\"}[2m]))*8",
            none,
            "> 0 bit/s",
            v -> v > 0),
        new Query(
            "$Node：节点网络总览 (receive)",
            "sum (irate(container_network_receive_bytes_total{}[2m]))by (node) *8",
            none,
            "> 0 bit/s",
            v -> v > 0),
        // ---- not a panel: the pod's network series sit on its sandbox, whose container label is
        // empty (PromQL's
        // container="" also matches a label that is absent, which is how Prometheus stores an empty
        // one)
        new Query(
            "(sandbox) network series of the pod",
            "sum by (namespace, pod) (container_network_receive_bytes_total{pod=\""
                + POD
                + "\",container=\"\"})",
            Map.of("namespace", NAMESPACE, "pod", POD),
            "> 0 bytes",
            v -> v > 0),
        // ---- 微服务(容器名): the same numbers summed by container name
        new Query(
            "微服务(容器名)资源统计: CPU使用率",
            "sum(irate(container_cpu_usage_seconds_total{"
                + byContainer
                + "}[2m])) by (container) / "
                + "(sum(container_spec_cpu_quota{"
                + byContainer
                + "}/100000) by (container))",
            ourContainer,
            "in (0, 1.5]",
            v -> v > 0 && v <= 1.5),
        new Query(
            "微服务(容器名)整体内存使用量: 内存上限",
            "sum(container_spec_memory_limit_bytes{" + byContainer + "}) by (container)",
            ourContainer,
            "== " + MEMORY_LIMIT,
            v -> v == MEMORY_LIMIT),
        new Query(
            "微服务(容器名)整体内存使用量: RSS",
            "sum (container_memory_rss{" + byContainer + "}) by (container)",
            ourContainer,
            ">= held, <= limit",
            v -> v >= HELD && v <= MEMORY_LIMIT),
        new Query(
            "微服务(容器名)资源统计: 存储使用",
            "avg(container_fs_usage_bytes{" + byContainer + "}) by (container)",
            ourContainer,
            ">= written",
            v -> v >= WRITTEN),
        new Query(
            "微服务(容器名)资源统计: 存储上限",
            "avg(container_fs_limit_bytes{" + byContainer + "}) by (container)",
            ourContainer,
            "> written",
            v -> v > WRITTEN));
  }

  /**
   * Polls the query until the expected series has a sane value: irate needs two scrapes of a
   * running workload, and the exporter polls every second, so the first answers can be empty.
   * Returns "panel: expr = value".
   */
  static String evaluate(PrometheusServer prometheus, ExporterProcess exporter, Query q) {
    try {
      JsonNode result =
          Await.until(
              QUERY_WAIT,
              q.panel() + ": " + q.expr() + " to give " + q.labels() + " " + q.want(),
              () -> prometheus.query(q.expr()),
              r -> value(r, q.labels()).stream().anyMatch(q.ok()::test));
      // Also the shape: a panel keyed by pod must not show the test pod twice (e.g. once per
      // duplicate series).
      long rows = count(result, q.labels());
      assertEquals(1, rows, q.panel() + ": one row for " + q.labels() + " in " + result);
      return q.panel()
          + "\n          "
          + q.expr()
          + "\n          = "
          + value(result, q.labels()).orElseThrow()
          + "  (want "
          + q.want()
          + ")";
    } catch (AssertionError e) {
      String scrape =
          exporter
              .get("/metrics")
              .body()
              .lines()
              .filter(
                  l ->
                      l.startsWith("container_")
                          && (l.contains("id=\"/\"") || l.contains("pod=\"" + POD + "\"")))
              .reduce("", (a, b) -> a + "\n" + b);
      throw new AssertionError(
          e.getMessage() + "\nexporter's cAdvisor series for the node and the pod:" + scrape, e);
    }
  }

  private static Optional<Double> value(JsonNode result, Map<String, String> labels) {
    for (JsonNode series : result) {
      if (matches(series, labels)) {
        return Optional.of(Double.parseDouble(series.path("value").path(1).asText()));
      }
    }
    return Optional.empty();
  }

  private static long count(JsonNode result, Map<String, String> labels) {
    long n = 0;
    for (JsonNode series : result) {
      n += matches(series, labels) ? 1 : 0;
    }
    return n;
  }

  private static boolean matches(JsonNode series, Map<String, String> labels) {
    for (Map.Entry<String, String> l : labels.entrySet()) {
      if (!l.getValue().equals(series.path("metric").path(l.getKey()).asText(null))) {
        return false;
      }
    }
    return true;
  }
}
