package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerdexporter.cri.CgroupParents;
import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.v1.ContainerConfig;
import io.containerdexporter.cri.v1.ContainerMetadata;
import io.containerdexporter.cri.v1.CreateContainerRequest;
import io.containerdexporter.cri.v1.ImageSpec;
import io.containerdexporter.cri.v1.LinuxContainerConfig;
import io.containerdexporter.cri.v1.LinuxContainerResources;
import io.containerdexporter.cri.v1.LinuxPodSandboxConfig;
import io.containerdexporter.cri.v1.LinuxSandboxSecurityContext;
import io.containerdexporter.cri.v1.NamespaceMode;
import io.containerdexporter.cri.v1.NamespaceOption;
import io.containerdexporter.cri.v1.PodSandboxConfig;
import io.containerdexporter.cri.v1.PodSandboxMetadata;
import io.containerdexporter.cri.v1.RemovePodSandboxRequest;
import io.containerdexporter.cri.v1.RunPodSandboxRequest;
import io.containerdexporter.cri.v1.RuntimeServiceGrpc;
import io.containerdexporter.cri.v1.StartContainerRequest;
import io.containerdexporter.cri.v1.StopPodSandboxRequest;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

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
@ExtendWith(ContainerdExtension.class)
class Dashboard13105IT {

  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  private static final String NAMESPACE = "shop";
  private static final String POD = "web-0";
  private static final String CONTAINER = "app";

  /**
   * 0.2 CPU: 13105 reads the quota as cores by dividing it by a hard-coded 100000 (the default
   * period).
   */
  private static final long CPU_QUOTA = 20_000;

  private static final long CPU_PERIOD = 100_000;
  private static final long MEMORY_LIMIT = 64L << 20;

  /** What the workload holds in a shell variable (anonymous memory: rss and working set). */
  private static final long HELD = 8L << 20;

  /**
   * What the workload writes to its root filesystem (the writable layer: container_fs_usage_bytes).
   */
  private static final long WRITTEN = 2L << 20;

  private static final Duration QUERY_WAIT = Duration.ofSeconds(15);

  private final ContainerdSandbox containerd;

  Dashboard13105IT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  /**
   * One dashboard query: the panel it comes from, the series it must return, and what its value
   * must be.
   */
  private record Query(
      String panel, String expr, Map<String, String> labels, String want, DoublePredicate ok) {}

  @Test
  void theCadvisorPanelsOfDashboard13105HaveDataForACriPod() {
    containerd.importBusybox(CriClient.K8S_NAMESPACE, BUSYBOX);
    containerd.importPause(CriClient.K8S_NAMESPACE);
    try (NetworkedPod pod = NetworkedPod.start(containerd);
        ExporterProcess exporter =
            ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s");
        PrometheusServer prometheus =
            PrometheusServer.scraping(exporter.port(), Duration.ofSeconds(15))) {
      List<String> seen = new ArrayList<>();
      for (Query q : queries(pod.gateway())) {
        seen.add(evaluate(prometheus, exporter, q));
      }
      // The values, for the record: a reviewer can compare them with what the pod was given.
      System.out.println("[13105] " + String.join("\n[13105] ", seen));
    }
  }

  private static List<Query> queries(String gateway) {
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
  private static String evaluate(PrometheusServer prometheus, ExporterProcess exporter, Query q) {
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

  /**
   * A Kubernetes pod the way kubelet asks for one with a pod network and a container with CPU and
   * memory limits. CriClient runs only hostNetwork pods and BestEffort containers, hence this own,
   * minimal CRI caller (and its own channel: CriClient's is package-private). The network is a CNI
   * bridge with no gateway address from CNI (which would also switch on the host's ip_forward); the
   * test puts the address on the bridge itself, so that the pod's pings to it are answered and both
   * directions carry bytes.
   */
  private static final class NetworkedPod implements AutoCloseable {

    private final EventLoopGroup eventLoop;
    private final ManagedChannel channel;
    private final String bridge;
    private final String gateway;
    private final CgroupParents cgroupParents = new CgroupParents();
    private String podId;

    private NetworkedPod(ContainerdSandbox containerd, String bridge, String gateway) {
      this.bridge = bridge;
      this.gateway = gateway;
      this.eventLoop =
          new MultiThreadIoEventLoopGroup(
              1,
              r -> {
                Thread t = new Thread(r, "dashboard-it-cri");
                t.setDaemon(true);
                return t;
              },
              EpollIoHandler.newFactory());
      this.channel =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(containerd.socket().toString()))
              .channelType(EpollDomainSocketChannel.class)
              .eventLoopGroup(eventLoop)
              .usePlaintext()
              .overrideAuthority("localhost")
              .withOption(
                  ChannelOption.SO_KEEPALIVE, null) // unix sockets have none (grpc-java#10408)
              .build();
    }

    String gateway() {
      return gateway;
    }

    private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
      return RuntimeServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
    }

    static NetworkedPod start(ContainerdSandbox containerd) {
      Path cniBin = Path.of("/usr/lib/cni/bridge");
      if (!Files.isExecutable(cniBin)) {
        throw new IllegalStateException(
            cniBin + " missing: apt-get install containernetworking-plugins");
      }
      // Per-JVM bridge and subnet: test JVMs run side by side on one host. Bridge names have at
      // most 15 chars.
      long pid = ProcessHandle.current().pid();
      String bridge = "cedash" + (pid % 100_000);
      String subnet = "10.213." + (pid % 250) + ".0/24";
      String gateway = "10.213." + (pid % 250) + ".1";
      NetworkedPod pod = new NetworkedPod(containerd, bridge, gateway);
      try {
        pod.run(containerd, subnet);
        return pod;
      } catch (RuntimeException | AssertionError e) {
        pod.close();
        throw e;
      }
    }

    private void run(ContainerdSandbox containerd, String subnet) {
      writeCniConfig(containerd, subnet);
      String uid = UUID.randomUUID().toString();
      // kubelet's cgroupfs layout for a Burstable pod, under a cgroup root of the sandbox's own
      // (its temp dir name).
      String cgroupParent =
          "/" + containerd.tempDir().getFileName() + "/kubepods/burstable/pod" + uid;
      cgroupParents.claim(cgroupParent);
      Path logDirectory =
          containerd.tempDir().resolve("pod-logs").resolve(NAMESPACE + "_" + POD + "_" + uid);
      mkdirs(logDirectory.resolve(CONTAINER));
      PodSandboxConfig config =
          PodSandboxConfig.newBuilder()
              .setMetadata(
                  PodSandboxMetadata.newBuilder().setName(POD).setUid(uid).setNamespace(NAMESPACE))
              .setHostname(POD)
              .setLogDirectory(logDirectory.toString())
              .putLabels("io.kubernetes.pod.name", POD)
              .putLabels("io.kubernetes.pod.namespace", NAMESPACE)
              .putLabels("io.kubernetes.pod.uid", uid)
              .setLinux(
                  LinuxPodSandboxConfig.newBuilder()
                      .setCgroupParent(cgroupParent)
                      .setSecurityContext(
                          LinuxSandboxSecurityContext.newBuilder()
                              .setNamespaceOptions(
                                  NamespaceOption.newBuilder()
                                      .setNetwork(
                                          NamespaceMode
                                              .POD) // a pod network: the point of this helper
                                      .setPid(NamespaceMode.CONTAINER)
                                      .setIpc(NamespaceMode.POD))))
              .build();
      // containerd picks the conflist up through fsnotify; until then RunPodSandbox fails "cni
      // config uninitialized".
      podId =
          Await.until(
              Duration.ofSeconds(10),
              "RunPodSandbox with the CNI bridge",
              () ->
                  runtime()
                      .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
                      .getPodSandboxId(),
              id -> true);
      // The bridge exists now (CNI ADD made it): give it the gateway address the workload pings.
      sh("ip", "addr", "add", gateway + "/24", "dev", bridge);

      String script =
          String.join(
              "\n",
              // CPU: a busy loop, held to the 0.2 CPU quota by CFS
              "(while :; do :; done) &",
              // the writable layer: 2 MiB in the container's root filesystem
              "dd if=/dev/zero of=/fill bs=1048576 count=" + (WRITTEN >> 20) + " 2>/dev/null",
              // anonymous memory the shell keeps (rss, working set)
              "x=$(yes aaaaaaaaaaaaaaa | head -c " + HELD + ")",
              // network: echo requests to the bridge, answered by the host
              "while :; do ping -c 1 -W 1 " + gateway + " >/dev/null 2>&1; sleep 0.2; done");
      ContainerConfig container =
          ContainerConfig.newBuilder()
              .setMetadata(ContainerMetadata.newBuilder().setName(CONTAINER).setAttempt(0))
              .setImage(ImageSpec.newBuilder().setImage(BUSYBOX))
              .addAllCommand(List.of("sh", "-c", script))
              .putLabels("io.kubernetes.pod.name", POD)
              .putLabels("io.kubernetes.pod.namespace", NAMESPACE)
              .putLabels("io.kubernetes.pod.uid", uid)
              .putLabels("io.kubernetes.container.name", CONTAINER)
              .setLogPath(CONTAINER + "/0.log")
              // What kubelet sends for limits cpu: 200m, memory: 64Mi (requests the same: shares
              // 204).
              .setLinux(
                  LinuxContainerConfig.newBuilder()
                      .setResources(
                          LinuxContainerResources.newBuilder()
                              .setCpuPeriod(CPU_PERIOD)
                              .setCpuQuota(CPU_QUOTA)
                              .setCpuShares(204)
                              .setMemoryLimitInBytes(MEMORY_LIMIT)))
              .build();
      String containerId =
          runtime()
              .createContainer(
                  CreateContainerRequest.newBuilder()
                      .setPodSandboxId(podId)
                      .setConfig(container)
                      .setSandboxConfig(config)
                      .build())
              .getContainerId();
      runtime()
          .startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
    }

    private void writeCniConfig(ContainerdSandbox containerd, String subnet) {
      // No isGateway/ipMasq: CNI would enable ip_forward and add iptables rules on the host, which
      // we leave alone.
      String conflist =
          """
          {"cniVersion": "0.4.0", "name": "dashboard-it", "plugins": [
            {"type": "bridge", "bridge": "%s", "ipam": {"type": "host-local",
              "ranges": [[{"subnet": "%s"}]], "dataDir": "%s"}}]}
          """
              .formatted(bridge, subnet, containerd.tempDir().resolve("cni-ipam"));
      try {
        Files.writeString(containerd.cniConfDir().resolve("10-dashboard-it.conflist"), conflist);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * What kubelet does on pod deletion (stop: CNI DEL; remove), then the host side: cgroups, the
     * bridge.
     */
    @Override
    public void close() {
      List<String> problems = new ArrayList<>();
      if (podId != null) {
        try {
          runtime()
              .stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
          runtime()
              .removePodSandbox(
                  RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        } catch (RuntimeException e) {
          problems.add("pod " + podId + ": " + e.getMessage());
        }
      }
      channel.shutdownNow();
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      // runc mkdir -p's the pod's cgroup parent in every hierarchy but never removes it.
      problems.addAll(cgroupParents.removeCreated());
      // CNI DEL removes the veth but leaves the bridge it made.
      if (Files.exists(Path.of("/sys/class/net", bridge))) {
        try {
          sh("ip", "link", "del", bridge);
        } catch (RuntimeException e) {
          problems.add(e.getMessage());
        }
      }
      // Never throw from teardown: it would hide the test's own failure.
      problems.forEach(p -> System.err.println("[dashboard-it] cleanup: " + p));
    }

    private static void sh(String... command) {
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
          throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    private static void mkdirs(Path dir) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
