package io.containerdexporter.golden;

import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import io.containerdexporter.containerd.api.cgroups.v2.CPUStat;
import io.containerdexporter.containerd.api.cgroups.v2.IOEntry;
import io.containerdexporter.containerd.api.cgroups.v2.IOStat;
import io.containerdexporter.containerd.api.cgroups.v2.MemoryEvents;
import io.containerdexporter.containerd.api.cgroups.v2.MemoryStat;
import io.containerdexporter.containerd.api.cgroups.v2.Metrics;
import io.containerdexporter.containerd.api.cgroups.v2.PSIData;
import io.containerdexporter.containerd.api.cgroups.v2.PSIStats;
import io.containerdexporter.containerd.api.cgroups.v2.PidsStat;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.it.MetricsText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@code --stats.source} end to end: a fake containerd answering Tasks.Metrics with cgroup v2
 * payloads (bare type URL, as containerd packs them), the exporter in this JVM, one scrape. Also
 * the root cgroup's {@code id="/"} series over the root-v2 fixture. Values are the v2-systemd
 * fixture's numbers, so they read as TaskStatsGoldenTest's v2 pod.
 */
class TaskStatsSourceTest {

  static final String KATA_SLICE =
      "kubepods-burstable-pod7d2b8f4e_3a61_4c0e_9f15_2e8c4d6a1b90.slice";
  static final String APP_ID = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final String APP_CGROUP =
      "/kubepods.slice/kubepods-burstable.slice/"
          + KATA_SLICE
          + "/cri-containerd-"
          + APP_ID
          + ".scope";

  static Any payload() {
    Metrics m =
        Metrics.newBuilder()
            .setCpu(
                CPUStat.newBuilder()
                    .setUsageUsec(184213558)
                    .setUserUsec(151862081)
                    .setSystemUsec(32351477)
                    .setNrPeriods(36420)
                    .setNrThrottled(1204)
                    .setThrottledUsec(97811452)
                    .setPsi(psi(4102399, 3011201)))
            .setMemory(
                MemoryStat.newBuilder()
                    .setUsage(157286400)
                    .setInactiveFile(31457280)
                    .setAnon(98304000)
                    .setFile(52428800)
                    .setFileMapped(12582912)
                    .setSwapUsage(2097152)
                    .setMaxUsage(212860928)
                    .setPsi(psi(1203, 1187)))
            .setMemoryEvents(MemoryEvents.newBuilder().setMax(27).setOomKill(1))
            .setPids(
                PidsStat.newBuilder()
                    .setCurrent(23)
                    .setLimit(-1)) // "max" as containerd reads it: 2^64−1
            .setIo(
                IOStat.newBuilder()
                    .addUsage(
                        IOEntry.newBuilder()
                            .setMajor(8)
                            .setMinor(0)
                            .setRbytes(1085440)
                            .setWbytes(20484096)
                            .setRios(42)
                            .setWios(1391))
                    .setPsi(psi(310472, 298003)))
            .build();
    return Any.newBuilder()
        .setTypeUrl("io.containerd.cgroups.v2.Metrics")
        .setValue(m.toByteString())
        .build();
  }

  static PSIStats psi(long some, long full) {
    return PSIStats.newBuilder()
        .setSome(PSIData.newBuilder().setTotal(some))
        .setFull(PSIData.newBuilder().setTotal(full))
        .build();
  }

  /**
   * A Kata-style CRI container: its spec names a host cgroup, but the host has none (the task runs
   * in a VM).
   */
  static void installKataPod(FakeContainerd containerd) {
    containerd
        .namespace("k8s.io")
        .container(
            APP_ID,
            "registry.example/shop/checkout:2.3.1",
            Map.of(
                "io.cri-containerd.kind", "container",
                "io.kubernetes.pod.namespace", "shop",
                "io.kubernetes.pod.name", "checkout-7c9d5b8f4-x2lqp",
                "io.kubernetes.pod.uid", "7d2b8f4e-3a61-4c0e-9f15-2e8c4d6a1b90",
                "io.kubernetes.container.name", "checkout"),
            TaskStatsGoldenTest.spec(
                KATA_SLICE + ":cri-containerd:" + APP_ID,
                "{\"cpu\":{\"shares\":2048,\"quota\":200000,\"period\":100000},\"memory\":{\"limit\":268435456}}"))
        .task(APP_ID, 31337, RUNNING)
        .taskMetrics(APP_ID, payload());
  }

  @Test
  void apiSourceGivesTheContainerSeries() throws IOException {
    MetricsText m = scrape(TaskStatsSourceTest::installKataPod, "--stats.source=api");

    Map<String, String> labels =
        m.samples("container_cpu_usage_seconds_total").stream()
            .filter(s -> APP_ID.equals(s.labels().get("name")))
            .findFirst()
            .orElseThrow()
            .labels();
    assertEquals(
        Map.of(
            "id",
            APP_CGROUP,
            "name",
            APP_ID,
            "image",
            "registry.example/shop/checkout:2.3.1",
            "namespace",
            "shop",
            "pod",
            "checkout-7c9d5b8f4-x2lqp",
            "container",
            "checkout",
            "containerd_namespace",
            "k8s.io"),
        labels);
    Map<String, Double> expected =
        new TreeMap<>(
            Map.ofEntries(
                Map.entry("container_cpu_usage_seconds_total", 184.213558),
                Map.entry("container_cpu_user_seconds_total", 151.862081),
                Map.entry("container_cpu_system_seconds_total", 32.351477),
                Map.entry("container_cpu_cfs_periods_total", 36420.0),
                Map.entry("container_cpu_cfs_throttled_periods_total", 1204.0),
                Map.entry("container_cpu_cfs_throttled_seconds_total", 97.811452),
                Map.entry("container_memory_usage_bytes", 157286400.0),
                Map.entry("container_memory_working_set_bytes", 125829120.0),
                Map.entry("container_memory_rss", 98304000.0),
                Map.entry("container_memory_cache", 52428800.0),
                Map.entry("container_memory_mapped_file", 12582912.0),
                Map.entry("container_memory_swap", 2097152.0),
                Map.entry("container_memory_failcnt", 27.0),
                Map.entry("container_memory_max_usage_bytes", 212860928.0),
                Map.entry("container_threads", 23.0),
                Map.entry("container_threads_max", 0.0),
                Map.entry("container_pressure_cpu_waiting_seconds_total", 4.102399),
                Map.entry("container_pressure_cpu_stalled_seconds_total", 3.011201),
                Map.entry("container_pressure_memory_waiting_seconds_total", 0.001203),
                Map.entry("container_pressure_io_stalled_seconds_total", 0.298003),
                Map.entry("container_spec_cpu_quota", 200000.0),
                Map.entry("container_spec_memory_limit_bytes", 268435456.0),
                Map.entry("container_start_time_seconds", TaskStatsGoldenTest.CREATED_AT)));
    expected.forEach(
        (family, value) ->
            assertEquals(value, InProcessExporter.value(m, family, "name", APP_ID), family));
    String[] sda = {"name", APP_ID, "device", "/dev/sda"};
    assertEquals(1085440.0, InProcessExporter.value(m, "container_fs_reads_bytes_total", sda));
    assertEquals(1391.0, InProcessExporter.value(m, "container_fs_writes_total", sda));
    assertTrue(m.value("container_last_seen", "name", APP_ID).isPresent());
    assertEquals(List.of(), m.samples("containerd_exporter_cgroup_read_errors_total"));
    // No root series from the API (and the empty cgroupfs has none anyway).
    assertTrue(
        m.samples("container_cpu_usage_seconds_total").stream()
            .noneMatch(s -> "/".equals(s.labels().get("id"))));
    GoldenScrapeTest.assertPromtoolAccepts(TaskStatsGoldenTest.taskStatsFamilies(m.text()));
  }

  /**
   * auto (the default) over an empty cgroupfs: the Kata task's cgroup is not on this host,
   * Tasks.Metrics has it.
   */
  @Test
  void autoFallsBackToTheApi() throws IOException {
    MetricsText m = scrape(TaskStatsSourceTest::installKataPod);

    assertEquals(
        184.213558,
        InProcessExporter.value(m, "container_cpu_usage_seconds_total", "name", APP_ID));
    assertEquals(
        125829120.0,
        InProcessExporter.value(m, "container_memory_working_set_bytes", "name", APP_ID));
    assertEquals(
        APP_CGROUP, m.samples("container_memory_working_set_bytes").get(0).labels().get("id"));
  }

  @Test
  void cgroupfsSourceIgnoresTheApi() throws IOException {
    MetricsText m = scrape(TaskStatsSourceTest::installKataPod, "--stats.source=cgroupfs");
    assertEquals(List.of(), m.samples("container_cpu_usage_seconds_total"));
    assertTrue(
        m.value("container_spec_cpu_quota", "name", APP_ID).isEmpty(),
        "no usage, no series at all");
  }

  /**
   * The node's root cgroup as cAdvisor's id="/" (cgroup v2: memory emulated from memory.stat and
   * meminfo).
   */
  @Test
  void rootSeries() throws IOException {
    MetricsText m =
        scrape(
            c -> c.namespace("default"),
            "--path.cgroupfs=" + TaskStatsGoldenTest.CGROUPFS.resolve("root-v2"),
            "--path.procfs=" + TaskStatsGoldenTest.CGROUPFS.resolve("../procfs-root").normalize());
    String[] root = {
      "id",
      "/",
      "name",
      "",
      "image",
      "",
      "namespace",
      "",
      "pod",
      "",
      "container",
      "",
      "containerd_namespace",
      ""
    };
    assertEquals(
        123456.789012, InProcessExporter.value(m, "container_cpu_usage_seconds_total", root));
    assertEquals(
        5368709120.0, InProcessExporter.value(m, "container_memory_working_set_bytes", root));
    assertEquals(3.0, InProcessExporter.value(m, "container_threads", root));
    // The root io.stat is a real kernel's, with "11:0 " and "(unknown) " lines: only 254:0 (vda)
    // has numbers.
    String[] vda = {"id", "/", "device", "/dev/vda"};
    assertEquals(221733888.0, InProcessExporter.value(m, "container_fs_reads_bytes_total", vda));
    assertEquals(46772224.0, InProcessExporter.value(m, "container_fs_writes_bytes_total", vda));
    assertEquals(6313.0, InProcessExporter.value(m, "container_fs_reads_total", vda));
    assertEquals(2064.0, InProcessExporter.value(m, "container_fs_writes_total", vda));
    assertEquals(1, m.samples("container_fs_reads_bytes_total").size(), "one device");
    assertEquals(
        List.of(),
        m.samples("containerd_exporter_cgroup_read_errors_total"),
        "io.stat is not an error");
    assertTrue(m.value("container_last_seen", "id", "/").isEmpty());
    GoldenScrapeTest.assertPromtoolAccepts(TaskStatsGoldenTest.taskStatsFamilies(m.text()));
  }

  private static MetricsText scrape(Consumer<FakeContainerd> inventory, String... args)
      throws IOException {
    try (FakeContainerd containerd = new FakeContainerd()) {
      inventory.accept(containerd);
      containerd.start();
      List<String> all =
          new ArrayList<>(
              List.of(
                  "--poll.interval=1h",
                  "--path.sysfs=" + TaskStatsGoldenTest.SYSFS,
                  "--no-collector.images",
                  "--no-collector.content",
                  "--no-collector.snapshots"));
      all.addAll(List.of(args));
      try (InProcessExporter exporter =
          InProcessExporter.start(containerd.socket(), all.toArray(String[]::new))) {
        return exporter.awaitScrape(
            Duration.ofSeconds(10),
            "task-stats to succeed",
            s -> InProcessExporter.success(s, "task-stats") == 1.0);
      }
    }
  }
}
