package io.containerdexporter.golden;

import static io.containerdexporter.containerd.api.types.task.Status.CREATED;
import static io.containerdexporter.containerd.api.types.task.Status.PAUSED;
import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.MetricsText;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The network collector end to end: a fake containerd, the exporter started in this JVM with {@code
 * --path.procfs} on the committed fixture tree src/test/resources/procfs, one scrape over HTTP.
 *
 * <pre>
 * pid    ns/net      containerd                                  expected
 * 1      …531992     (the host)                                  —
 * 31302  …532481     k8s.io sandbox of shop/checkout-7c9d5b8f4…  eth0 series, container="", lo left out
 * 31337  …532481     k8s.io app container "checkout" (same ns)   none: joins the sandbox's namespace
 * 2210   …531992     k8s.io sandbox of a hostNetwork pod         none: the host's namespace
 * 4101   …532600     default/web (ctr, no kind label)            eth0 (old kernel layout "eth0:123456789"),
 *                                                                wg-tunnel-0123 (no leading space)
 * 4107   …532600     default/web-sidecar (joined web's ns)       none: reported once, on web
 * 4102   …532601     default/broken                              eth0; "eth1: 12 34 56" skipped and counted
 * 4103   …531992     default/hostnet (ctr run --net-host)        none: the host's namespace
 * 4104   (no dir)    default/gone, RUNNING                       none, and no error: it exited after Tasks.List
 * 4105   …532602     default/created, CREATED                    none: not started
 * 4106   …532603     default/paused, PAUSED                      eth0: a frozen task's counters are still there
 * —      —           default/worker, STOPPED (pid 0)             none
 * </pre>
 */
class NetworkScrapeTest {

  static final Path PROCFS =
      Path.of(System.getProperty("basedir", ""))
          .toAbsolutePath()
          .resolve("src/test/resources/procfs");

  static final String POD_SLICE =
      "kubepods-burstable-pod7d2b8f4e_3a61_4c0e_9f15_2e8c4d6a1b90.slice";
  static final String SANDBOX_ID =
      "afdc724d3a6065704e65ef0bddc97d19988490067d073bea100722a992ae2e1e";
  static final String APP_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final String HOST_NETWORK_SANDBOX_ID =
      "5d41402abc4b2a76b9719d911017c592ae2e1e5d41402abc4b2a76b9719d9110";

  static final List<String> FAMILIES =
      List.of(
          "receive_bytes",
          "receive_packets",
          "receive_errors",
          "receive_packets_dropped",
          "transmit_bytes",
          "transmit_packets",
          "transmit_errors",
          "transmit_packets_dropped");

  @Test
  void perPodAndPerContainerNetworkCounters() throws IOException {
    MetricsText m = scrape();

    // The pod: its sandbox's eth0, with the pod's names and container="" (what dashboard 13105 sums
    // by pod).
    assertEquals(
        Map.of(
            "id",
            "/kubepods.slice/kubepods-burstable.slice/"
                + POD_SLICE
                + "/cri-containerd-"
                + SANDBOX_ID
                + ".scope",
            "name",
            SANDBOX_ID,
            "image",
            "registry.k8s.io/pause:3.10",
            "namespace",
            "shop",
            "pod",
            "checkout-7c9d5b8f4-x2lqp",
            "container",
            "",
            "containerd_namespace",
            "k8s.io",
            "interface",
            "eth0"),
        only(m, "container_network_receive_bytes_total", SANDBOX_ID).labels());
    assertCounters(m, SANDBOX_ID, "eth0", 8825043, 61270, 3, 17, 15234876, 58112, 1, 4);

    // ctr containers: their own namespace; empty Kubernetes names.
    assertEquals(
        Map.of(
            "id",
            "/default/web",
            "name",
            "web",
            "image",
            "docker.io/library/nginx:1.27",
            "namespace",
            "",
            "pod",
            "",
            "container",
            "",
            "containerd_namespace",
            "default",
            "interface",
            "eth0"),
        labels(m, "web", "eth0"));
    assertCounters(m, "web", "eth0", 123456789, 804120, 0, 0, 987654321, 790001, 0, 0);
    assertCounters(m, "web", "wg-tunnel-0123", 5000, 40, 1, 2, 7000, 50, 3, 4);
    assertCounters(m, "broken", "eth0", 1000, 10, 0, 0, 2000, 20, 0, 0);
    assertCounters(m, "paused", "eth0", 4096, 32, 0, 1, 8192, 64, 0, 0);
    // The node: /proc/1/net/dev's eth0 (the host's), as cAdvisor's root container shows it.
    assertCounters(m, "", "eth0", 98441629, 3309, 0, 0, 462891, 2970, 0, 0);

    // Exactly these series in every family: no lo, no app container, no host network, no joiner, no
    // created task; and the node's (id="/", name ""), pid 1's interfaces but lo.
    Set<String> expected =
        Set.of(
            SANDBOX_ID + "/eth0",
            "web/eth0",
            "web/wg-tunnel-0123",
            "broken/eth0",
            "paused/eth0",
            "/eth0",
            "/ifb0",
            "/ifb1");
    for (String family : FAMILIES) {
      assertEquals(
          new TreeSet<>(expected),
          m.samples("container_network_" + family + "_total").stream()
              .map(s -> s.labels().get("name") + "/" + s.labels().get("interface"))
              .collect(Collectors.toCollection(TreeSet::new)),
          family);
    }

    // The malformed line was counted; the vanished pid and the skipped tasks were not errors.
    List<MetricsText.Sample> errors = m.samples("containerd_exporter_procfs_read_errors_total");
    assertEquals(
        List.of(Map.of("file", "net/dev")),
        errors.stream().map(MetricsText.Sample::labels).toList());
    assertTrue(errors.get(0).value() >= 1, errors.toString());

    GoldenScrapeTest.assertPromtoolAccepts(networkFamilies(m.text()));
  }

  // ---------------------------------------------------------------- the inventory

  private static void install(FakeContainerd containerd) {
    Map<String, String> pod =
        Map.of(
            "io.kubernetes.pod.namespace", "shop",
            "io.kubernetes.pod.name", "checkout-7c9d5b8f4-x2lqp",
            "io.kubernetes.pod.uid", "7d2b8f4e-3a61-4c0e-9f15-2e8c4d6a1b90");
    containerd
        .namespace("k8s.io")
        .container(
            SANDBOX_ID,
            "registry.k8s.io/pause:3.10",
            with(pod, "io.cri-containerd.kind", "sandbox"),
            FakeNamespace.spec(POD_SLICE + ":cri-containerd:" + SANDBOX_ID, Map.of()))
        .container(
            APP_ID,
            "registry.example/shop/checkout:2.3.1",
            with(
                with(pod, "io.cri-containerd.kind", "container"),
                "io.kubernetes.container.name",
                "checkout"),
            FakeNamespace.spec(POD_SLICE + ":cri-containerd:" + APP_ID, Map.of()))
        .container(
            HOST_NETWORK_SANDBOX_ID,
            "registry.k8s.io/pause:3.10",
            Map.of(
                "io.cri-containerd.kind", "sandbox",
                "io.kubernetes.pod.namespace", "kube-system",
                "io.kubernetes.pod.name", "kube-proxy-8xk2d"),
            FakeNamespace.spec(
                "kubepods-besteffort.slice:cri-containerd:" + HOST_NETWORK_SANDBOX_ID, Map.of()))
        .task(SANDBOX_ID, 31302, RUNNING)
        .task(APP_ID, 31337, RUNNING)
        .task(HOST_NETWORK_SANDBOX_ID, 2210, RUNNING);
    FakeNamespace ctr = containerd.namespace("default");
    for (String id :
        List.of("web", "web-sidecar", "broken", "hostnet", "gone", "created", "paused", "worker")) {
      ctr.container(id, "docker.io/library/nginx:1.27", Map.of());
    }
    ctr.task("web", 4101, RUNNING)
        .task("web-sidecar", 4107, RUNNING)
        .task("broken", 4102, RUNNING)
        .task("hostnet", 4103, RUNNING)
        .task("gone", 4104, RUNNING)
        .task("created", 4105, CREATED)
        .task("paused", 4106, PAUSED)
        .stoppedTask("worker", 0, Instant.parse("2025-01-01T01:00:00Z"));
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> out = new TreeMap<>(labels);
    out.put(key, value);
    return out;
  }

  /**
   * The first scrape whose poll ran the network collector successfully (one poll: the interval is
   * 1h).
   */
  private static MetricsText scrape() throws IOException {
    try (FakeContainerd containerd = new FakeContainerd()) {
      install(containerd);
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(),
              "--poll.interval=1h",
              "--path.procfs=" + PROCFS,
              "--no-collector.images",
              "--no-collector.content",
              "--no-collector.snapshots",
              "--no-collector.task-stats")) {
        return exporter.awaitScrape(
            Duration.ofSeconds(10),
            "the network collector to succeed",
            s -> InProcessExporter.success(s, "network") == 1.0);
      }
    }
  }

  // ---------------------------------------------------------------- assertions

  private static void assertCounters(MetricsText m, String name, String iface, double... values) {
    for (int i = 0; i < FAMILIES.size(); i++) {
      String family = "container_network_" + FAMILIES.get(i) + "_total";
      assertEquals(
          values[i],
          InProcessExporter.value(m, family, "name", name, "interface", iface),
          family + " of " + name + " " + iface);
    }
  }

  private static Map<String, String> labels(MetricsText m, String name, String iface) {
    return m.samples("container_network_receive_bytes_total").stream()
        .filter(
            s -> name.equals(s.labels().get("name")) && iface.equals(s.labels().get("interface")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no series for " + name + " " + iface))
        .labels();
  }

  private static MetricsText.Sample only(MetricsText m, String family, String name) {
    List<MetricsText.Sample> samples =
        m.samples(family).stream().filter(s -> name.equals(s.labels().get("name"))).toList();
    assertEquals(1, samples.size(), family + " of " + name + ": " + samples);
    return samples.get(0);
  }

  /** The network part of an exposition, HELP and TYPE lines included, for promtool. */
  private static String networkFamilies(String exposition) {
    return exposition
        .lines()
        .filter(
            l ->
                l.contains("container_network_")
                    || l.contains("containerd_exporter_procfs_read_errors"))
        .map(l -> l + "\n")
        .collect(Collectors.joining());
  }
}
