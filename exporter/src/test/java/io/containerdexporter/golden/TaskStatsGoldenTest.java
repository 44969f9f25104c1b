package io.containerdexporter.golden;

import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.MetricsText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * node_exporter-style end-to-end golden scrapes of the task-stats families (cAdvisor's container_*
 * names) over the committed cgroupfs fixture trees: a fake containerd whose containers' OCI specs
 * point at the fixtures' task cgroups, the exporter started in this JVM with {@code
 * --path.cgroupfs} / {@code --path.sysfs} on the fixtures, one scrape, only the task-stats families
 * kept, compared byte for byte with src/test/resources/golden/task-stats-*.prom and linted by
 * promtool. Regenerate after an intended change, and review the diff against the arithmetic below:
 *
 * <pre>  mvn -q -pl exporter -o test -Dtest='TaskStatsGolden*' -Dgolden.update=true</pre>
 *
 * <p>Kept: every container_* family except container_last_seen (the poll's wall-clock time:
 * asserted separately) and container_oom_events_total (the event subscriber's, not task-stats';
 * GoldenScrapeTest covers it), plus containerd_exporter_cgroup_read_errors_total. The hand
 * computations are also asserted outright, so that {@code -Dgolden.update} cannot accept a wrong
 * number unnoticed.
 *
 * <h2>The layouts, and each checked value computed by hand from the fixture files</h2>
 *
 * <pre>
 * v1 (cgroupfs/v1, cgroupfs driver), containerd namespace "default", ctr-style container c1, cgroupsPath /default/c1
 *   labels: id="/default/c1" name="c1" image="docker.io/library/redis:7.4" namespace="" pod="" container=""
 *           containerd_namespace="default"
 *   cpu_usage_seconds      cpuacct.usage 5273891204 ns / 1e9               = 5.273891204
 *   cpu_user/system        cpuacct.stat 412 / 98 ticks / USER_HZ 100       = 4.12 / 0.98
 *   cfs periods/throttled  cpu.stat nr_periods 1520, nr_throttled 37; throttled_time 2845119032 ns = 2.845119032 s
 *   memory_usage_bytes     memory.usage_in_bytes                           = 48852992
 *   memory_working_set     48852992 − total_inactive_file 13631488         = 35221504
 *   memory_rss / _cache    total_rss 26095616 / total_cache 21626880 (use_hierarchy 1)
 *   memory_mapped_file     total_mapped_file                               = 8650752
 *   memory_swap            total_swap                                      = 1048576
 *   failcnt / max_usage    12 / 61341696
 *   threads / threads_max  pids.current 7 / pids.max "max" → 0
 *   fs (blkio: bfq tables are "Total 0", no CFQ files, so libcontainer's order lands on
 *       blkio.throttle.*_recursive; the non-recursive tables, deliberately different, must not show)
 *     8:0   (sysfs DEVNAME=sda)  device="/dev/sda":  read bytes 1232896, written 4096000, reads 57, writes 112
 *     253:0 (sysfs DEVNAME=dm-0) device="/dev/dm-0": read bytes 1228800, written 4096000, reads 56, writes 112
 *   pressure               none (v1 has no PSI files): no container_pressure_* series
 *   spec (from linux.resources, not the files): quota 50000, period 100000, shares 512,
 *        memory limit 268435456, swap not set → 0
 *
 * hybrid (cgroupfs/hybrid, systemd driver, cgroup2 at unified/ without controllers → the v1 reader)
 *   CRI container 4b825dc6… in besteffort pod 0f3c1c55-9d7b-4a55-8b2e-1c7f1a2b3c4d, namespace "k8s.io":
 *   cgroupsPath kubepods-besteffort-pod0f3c1c55_9d7b_4a55_8b2e_1c7f1a2b3c4d.slice:cri-containerd:4b825dc6…
 *   → id="/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod0f3c….slice/cri-containerd-4b82….scope"
 *   labels: namespace="monitoring" pod="node-debugger-x7k2p" container="debugger"
 *   cpu_usage_seconds      731052288 ns / 1e9                              = 0.731052288
 *   cpu_user/system        61 / 9 ticks / 100                              = 0.61 / 0.09
 *   memory_working_set     13750272 − total_inactive_file 2433024          = 11317248
 *   memory_rss / _cache    9318400 / 3244032; swap: no swap accounting (no total_swap, no swap key) → absent
 *   threads / threads_max  3 / 1024
 *   fs                     every blkio table "Total 0" → no container_fs_* series
 *   spec: shares 2, no quota → absent, no period (as ctr writes it) → the cgroup's cpu.cfs_period_us 100000,
 *         no memory → limit 0, swap 0
 *
 * v2 (cgroupfs/v2-systemd-pod: the v2-systemd fixture's scope plus the pod's sandbox), namespace "k8s.io",
 *   burstable pod 7d2b8f4e-3a61-4c0e-9f15-2e8c4d6a1b90 (namespace "shop", pod "checkout-7c9d5b8f4-x2lqp")
 *   app container 9f86d081… (container="checkout"):
 *   cpu_usage_seconds      cpu.stat usage_usec 184213558 / 1e6             = 184.213558
 *   cpu_user/system        151862081 / 32351477 µs                         = 151.862081 / 32.351477
 *   cfs                    nr_periods 36420, nr_throttled 1204, throttled_usec 97811452 = 97.811452 s
 *   memory_usage_bytes     memory.current                                  = 157286400
 *   memory_working_set     157286400 − inactive_file 31457280              = 125829120
 *   memory_rss / _cache    anon 98304000 / file 52428800; mapped_file = file_mapped 12582912
 *   memory_swap            memory.swap.current                             = 2097152
 *   failcnt / max_usage    memory.events max 27 / memory.peak 212860928
 *   threads / threads_max  23 / "max" → 0
 *   fs (io.stat)           8:0 /dev/sda: rbytes 1085440 wbytes 20484096 rios 42 wios 1391
 *                          253:0 /dev/dm-0: rbytes 1081344 wbytes 20480000 rios 41 wios 1390
 *                          11:0 (an io.max rule, no I/O: "11:0 ", as kernel 6.12 prints it) → skipped, no series
 *   pressure (total µs / 1e6)  cpu some 4102399 → 4.102399, full 3011201 → 3.011201
 *                              memory some 1203 → 0.001203, full 1187 → 0.001187
 *                              io some 310472 → 0.310472, full 298003 → 0.298003
 *   spec: quota 200000, period 100000 (also cpu.max "200000 100000"), shares 2048 (runc's linear conversion gives
 *         the fixture's cpu.weight: 1 + ⌊2046·9999/262142⌋ = 1 + 78 = 79), memory limit 268435456,
 *         swap = limit = 268435456 (containerd's CRI WithResources: "swap/memory limit should be equal to prevent
 *         container from swapping by default"; the exporter reports the spec, not memory.swap.max)
 *   sandbox afdc724d… (image registry.k8s.io/pause:3.10, container=""):
 *   cpu_usage_seconds      41207 µs = 0.041207; user 10512 → 0.010512, system 30695 → 0.030695
 *   memory_working_set     368640 − inactive_file 8192                     = 360448
 *   memory_rss / _cache    98304 / 8192; threads 1; fs: empty io.stat → no series
 *   pressure               cpu 1520 → 0.00152 / 1104 → 0.001104; memory and io 0 / 0
 *   spec: shares 2 only → no quota, limit 0, swap 0; period from cpu.max "max 100000" → 100000 (cAdvisor's too)
 *
 * every layout: container_start_time_seconds = containerd's createdAt of the fixtures, 2025-01-01T00:00:00Z
 *   = 1735689600; a RUNNING task whose cgroup directory is not in the tree (it exited between Tasks.List and the
 *   read) has no series at all, and containerd_exporter_cgroup_read_errors_total has no sample (nothing counted).
 * </pre>
 */
class TaskStatsGoldenTest {

  /**
   * The committed fixture trees (surefire runs in the module directory, as GoldenFiles relies on
   * too).
   */
  static final Path CGROUPFS =
      Path.of(System.getProperty("basedir", ""))
          .toAbsolutePath()
          .resolve("src/test/resources/cgroupfs");

  static final Path SYSFS = CGROUPFS.resolve("sysfs");

  static final double CREATED_AT = 1735689600; // Timestamps.EPOCH_OF_FIXTURES, 2025-01-01T00:00:00Z

  static final String HYBRID_POD_SLICE =
      "kubepods-besteffort-pod0f3c1c55_9d7b_4a55_8b2e_1c7f1a2b3c4d.slice";
  static final String HYBRID_ID =
      "4b825dc642cb6eb9a060e54bf8d69288fbee4904a2c3b5e1d7a6e0f8c9d2b1a0";
  static final String V2_POD_SLICE =
      "kubepods-burstable-pod7d2b8f4e_3a61_4c0e_9f15_2e8c4d6a1b90.slice";
  static final String V2_APP_ID =
      "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
  static final String V2_SANDBOX_ID =
      "afdc724d3a6065704e65ef0bddc97d19988490067d073bea100722a992ae2e1e";

  /** A container whose task is still listed RUNNING but whose cgroup is already gone. */
  static final String VANISHED_ID =
      "81ebed6136e7d6990ae66621dfc1a74282efc463c95b5317ef4383087b79e066";

  static final String V2_APP_CGROUP =
      "/kubepods.slice/kubepods-burstable.slice/"
          + V2_POD_SLICE
          + "/cri-containerd-"
          + V2_APP_ID
          + ".scope";

  @Test
  void cgroupV1CgroupfsDriver() throws IOException {
    MetricsText m =
        scrape(
            CGROUPFS.resolve("v1"),
            containerd ->
                containerd
                    .namespace("default")
                    .container(
                        "c1",
                        "docker.io/library/redis:7.4",
                        Map.of(),
                        spec(
                            "/default/c1",
                            "{\"cpu\":{\"shares\":512,\"quota\":50000,\"period\":100000},\"memory\":{\"limit\":268435456}}"))
                    // Listed RUNNING, but its cgroup is gone from every controller: the task exited
                    // after Tasks.List.
                    .container(
                        "gone",
                        "docker.io/library/redis:7.4",
                        Map.of(),
                        spec("/default/gone", "{\"cpu\":{\"shares\":1024}}"))
                    .task("c1", 4242, RUNNING)
                    .task("gone", 4400, RUNNING));

    assertEquals(
        Map.of(
            "id",
            "/default/c1",
            "name",
            "c1",
            "image",
            "docker.io/library/redis:7.4",
            "namespace",
            "",
            "pod",
            "",
            "container",
            "",
            "containerd_namespace",
            "default"),
        labels(m, "container_cpu_usage_seconds_total", "c1"),
        "a ctr-style container has no Kubernetes names");
    assertValues(
        m,
        "c1",
        new TreeMap<>(
            Map.ofEntries(
                Map.entry("container_cpu_usage_seconds_total", 5.273891204),
                Map.entry("container_cpu_user_seconds_total", 4.12),
                Map.entry("container_cpu_system_seconds_total", 0.98),
                Map.entry("container_cpu_cfs_periods_total", 1520.0),
                Map.entry("container_cpu_cfs_throttled_periods_total", 37.0),
                Map.entry("container_cpu_cfs_throttled_seconds_total", 2.845119032),
                Map.entry("container_memory_usage_bytes", 48852992.0),
                Map.entry("container_memory_working_set_bytes", 35221504.0),
                Map.entry("container_memory_rss", 26095616.0),
                Map.entry("container_memory_cache", 21626880.0),
                Map.entry("container_memory_mapped_file", 8650752.0),
                Map.entry("container_memory_swap", 1048576.0),
                Map.entry("container_memory_failcnt", 12.0),
                Map.entry("container_memory_max_usage_bytes", 61341696.0),
                Map.entry("container_threads", 7.0),
                Map.entry("container_threads_max", 0.0),
                Map.entry("container_spec_cpu_quota", 50000.0),
                Map.entry("container_spec_cpu_period", 100000.0),
                Map.entry("container_spec_cpu_shares", 512.0),
                Map.entry("container_spec_memory_limit_bytes", 268435456.0),
                Map.entry("container_spec_memory_swap_limit_bytes", 0.0),
                Map.entry("container_start_time_seconds", CREATED_AT))));
    // The recursive throttle tables, per device, named from the sysfs fixture.
    assertFs(m, "c1", "/dev/sda", 1232896, 4096000, 57, 112);
    assertFs(m, "c1", "/dev/dm-0", 1228800, 4096000, 56, 112);
    assertEquals(2, m.samples("container_fs_reads_bytes_total").size(), "8:0 and 253:0 only");
    assertTrue(
        m.samples().stream().noneMatch(s -> s.name().startsWith("container_pressure_")),
        "no PSI on v1");

    assertGolden("task-stats-v1.prom", m, List.of("c1"));
  }

  @Test
  void cgroupV2SystemdDriverKubernetesPod() throws IOException {
    MetricsText m = scrape(CGROUPFS.resolve("v2-systemd-pod"), TaskStatsGoldenTest::installV2Pod);

    assertEquals(
        Map.of(
            "id",
            V2_APP_CGROUP,
            "name",
            V2_APP_ID,
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
        labels(m, "container_cpu_usage_seconds_total", V2_APP_ID),
        "systemd cgroupsPath expanded to the .scope");
    assertEquals(
        Map.of(
            "id",
            "/kubepods.slice/kubepods-burstable.slice/"
                + V2_POD_SLICE
                + "/cri-containerd-"
                + V2_SANDBOX_ID
                + ".scope",
            "name",
            V2_SANDBOX_ID,
            "image",
            "registry.k8s.io/pause:3.10",
            "namespace",
            "shop",
            "pod",
            "checkout-7c9d5b8f4-x2lqp",
            "container",
            "",
            "containerd_namespace",
            "k8s.io"),
        labels(m, "container_cpu_usage_seconds_total", V2_SANDBOX_ID),
        "the sandbox has no container name");
    assertValues(
        m,
        V2_APP_ID,
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
                Map.entry("container_pressure_memory_stalled_seconds_total", 0.001187),
                Map.entry("container_pressure_io_waiting_seconds_total", 0.310472),
                Map.entry("container_pressure_io_stalled_seconds_total", 0.298003),
                Map.entry("container_spec_cpu_quota", 200000.0),
                Map.entry("container_spec_cpu_period", 100000.0),
                Map.entry("container_spec_cpu_shares", 2048.0),
                Map.entry("container_spec_memory_limit_bytes", 268435456.0),
                Map.entry("container_spec_memory_swap_limit_bytes", 268435456.0),
                Map.entry("container_start_time_seconds", CREATED_AT))));
    assertFs(m, V2_APP_ID, "/dev/sda", 1085440, 20484096, 42, 1391);
    assertFs(m, V2_APP_ID, "/dev/dm-0", 1081344, 20480000, 41, 1390);
    assertValues(
        m,
        V2_SANDBOX_ID,
        new TreeMap<>(
            Map.ofEntries(
                Map.entry("container_cpu_usage_seconds_total", 0.041207),
                Map.entry("container_cpu_user_seconds_total", 0.010512),
                Map.entry("container_cpu_system_seconds_total", 0.030695),
                Map.entry("container_memory_usage_bytes", 368640.0),
                Map.entry("container_memory_working_set_bytes", 360448.0),
                Map.entry("container_memory_rss", 98304.0),
                Map.entry("container_memory_cache", 8192.0),
                Map.entry("container_threads", 1.0),
                Map.entry("container_pressure_cpu_waiting_seconds_total", 0.00152),
                Map.entry("container_pressure_cpu_stalled_seconds_total", 0.001104),
                Map.entry("container_pressure_memory_waiting_seconds_total", 0.0),
                Map.entry("container_pressure_io_stalled_seconds_total", 0.0),
                Map.entry("container_spec_cpu_shares", 2.0),
                Map.entry(
                    "container_spec_cpu_period",
                    100000.0), // no period in its spec: the kernel's, from cpu.max
                Map.entry("container_spec_memory_limit_bytes", 0.0),
                Map.entry("container_spec_memory_swap_limit_bytes", 0.0))));
    assertAbsent(m, V2_SANDBOX_ID, "container_spec_cpu_quota", "container_fs_reads_bytes_total");

    assertGolden("task-stats-v2.prom", m, List.of(V2_APP_ID, V2_SANDBOX_ID));
  }

  @Test
  void hybridSystemdDriver() throws IOException {
    MetricsText m =
        scrape(
            CGROUPFS.resolve("hybrid"),
            containerd ->
                containerd
                    .namespace("k8s.io")
                    .container(
                        HYBRID_ID,
                        "docker.io/library/busybox:1.36",
                        Map.of(
                            "io.cri-containerd.kind", "container",
                            "io.kubernetes.pod.namespace", "monitoring",
                            "io.kubernetes.pod.name", "node-debugger-x7k2p",
                            "io.kubernetes.pod.uid", "0f3c1c55-9d7b-4a55-8b2e-1c7f1a2b3c4d",
                            "io.kubernetes.container.name", "debugger"),
                        spec(
                            HYBRID_POD_SLICE + ":cri-containerd:" + HYBRID_ID,
                            "{\"cpu\":{\"shares\":2}}"))
                    .container(
                        VANISHED_ID,
                        "docker.io/library/busybox:1.36",
                        Map.of(
                            "io.cri-containerd.kind", "container",
                            "io.kubernetes.pod.namespace", "monitoring",
                            "io.kubernetes.pod.name", "node-debugger-x7k2p",
                            "io.kubernetes.container.name", "init"),
                        spec(
                            HYBRID_POD_SLICE + ":cri-containerd:" + VANISHED_ID,
                            "{\"cpu\":{\"shares\":2}}"))
                    .task(HYBRID_ID, 5120, RUNNING)
                    .task(VANISHED_ID, 5100, RUNNING));

    assertEquals(
        Map.of(
            "id",
            "/kubepods.slice/kubepods-besteffort.slice/"
                + HYBRID_POD_SLICE
                + "/cri-containerd-"
                + HYBRID_ID
                + ".scope",
            "name",
            HYBRID_ID,
            "image",
            "docker.io/library/busybox:1.36",
            "namespace",
            "monitoring",
            "pod",
            "node-debugger-x7k2p",
            "container",
            "debugger",
            "containerd_namespace",
            "k8s.io"),
        labels(m, "container_cpu_usage_seconds_total", HYBRID_ID));
    assertValues(
        m,
        HYBRID_ID,
        new TreeMap<>(
            Map.ofEntries(
                Map.entry("container_cpu_usage_seconds_total", 0.731052288),
                Map.entry("container_cpu_user_seconds_total", 0.61),
                Map.entry("container_cpu_system_seconds_total", 0.09),
                Map.entry("container_memory_usage_bytes", 13750272.0),
                Map.entry("container_memory_working_set_bytes", 11317248.0),
                Map.entry("container_memory_rss", 9318400.0),
                Map.entry("container_memory_cache", 3244032.0),
                Map.entry("container_threads", 3.0),
                Map.entry("container_threads_max", 1024.0),
                Map.entry("container_spec_cpu_shares", 2.0),
                Map.entry(
                    "container_spec_cpu_period", 100000.0), // not in the spec: cpu.cfs_period_us
                Map.entry("container_spec_memory_limit_bytes", 0.0),
                Map.entry("container_spec_memory_swap_limit_bytes", 0.0))));
    assertAbsent(
        m,
        HYBRID_ID,
        "container_memory_swap",
        "container_spec_cpu_quota",
        "container_fs_reads_bytes_total");

    assertGolden("task-stats-hybrid.prom", m, List.of(HYBRID_ID));
  }

  /**
   * A memory.stat cut short through the whole stack: the scrape still answers and task-stats still
   * succeeds, the values that need memory.stat are left out for that task only (never a wrong 0 or
   * a working set equal to the whole usage), its other values and the sandbox's stay, and the bad
   * file is counted by name.
   */
  @Test
  void malformedMemoryStatSpoilsOnlyItsOwnValues(@TempDir Path tmp) throws IOException {
    Path tree = copyFollowingLinks(CGROUPFS.resolve("v2-systemd-pod"), tmp.resolve("cgroupfs"));
    // What a read cut short looks like: the first line "anon 98304000\n" lost its end, every later
    // key is unknown.
    Files.writeString(
        tree.resolve(V2_APP_CGROUP.substring(1)).resolve("memory.stat"),
        "anon 98304",
        StandardCharsets.ISO_8859_1);

    MetricsText m = scrape(tree, TaskStatsGoldenTest::installV2Pod);

    assertAbsent(
        m,
        V2_APP_ID,
        "container_memory_working_set_bytes",
        "container_memory_rss",
        "container_memory_cache",
        "container_memory_mapped_file");
    assertValues(
        m,
        V2_APP_ID,
        new TreeMap<>(
            Map.of(
                "container_memory_usage_bytes", 157286400.0, // memory.current is its own file
                "container_cpu_usage_seconds_total", 184.213558,
                "container_memory_swap", 2097152.0)));
    assertValues(
        m,
        V2_SANDBOX_ID,
        new TreeMap<>(
            Map.of(
                "container_memory_working_set_bytes", 360448.0,
                "container_memory_rss", 98304.0,
                "container_memory_cache", 8192.0)));
    List<MetricsText.Sample> errors = m.samples("containerd_exporter_cgroup_read_errors_total");
    assertEquals(
        List.of(Map.of("file", "memory.stat")),
        errors.stream().map(MetricsText.Sample::labels).toList(),
        "only memory.stat is counted, by base name");
    assertTrue(errors.get(0).value() >= 1, "memory.stat errors: " + errors.get(0).value());
    // The goldens never show the error family (no sample, so the client library writes no HELP/TYPE
    // either): lint
    // it here, where it has one.
    GoldenScrapeTest.assertPromtoolAccepts(taskStatsFamilies(m.text()));
  }

  /**
   * The period's sources in order, on cgroup v1: a spec that sets one wins (it is what was asked
   * for, and the family is the spec's), the cgroup's cpu.cfs_period_us fills in where the spec has
   * none. The copy's kernel period differs from the spec's so the two cannot be mistaken.
   */
  @Test
  void cpuPeriodFromTheSpecElseFromTheCgroup(@TempDir Path tmp) throws IOException {
    Path tree = copyFollowingLinks(CGROUPFS.resolve("hybrid"), tmp.resolve("cgroupfs"));
    Files.writeString(
        tree.resolve(
            "cpu/kubepods.slice/kubepods-besteffort.slice/"
                + HYBRID_POD_SLICE
                + "/cri-containerd-"
                + HYBRID_ID
                + ".scope/cpu.cfs_period_us"),
        "250000\n",
        StandardCharsets.ISO_8859_1);

    MetricsText fromCgroup =
        scrape(
            tree,
            containerd ->
                containerd
                    .namespace("k8s.io")
                    .container(
                        HYBRID_ID,
                        "docker.io/library/busybox:1.36",
                        Map.of(),
                        spec(
                            HYBRID_POD_SLICE + ":cri-containerd:" + HYBRID_ID,
                            "{\"cpu\":{\"shares\":2}}"))
                    .task(HYBRID_ID, 5120, RUNNING));
    assertEquals(
        250000.0,
        InProcessExporter.value(fromCgroup, "container_spec_cpu_period", "name", HYBRID_ID));

    MetricsText fromSpec =
        scrape(
            tree,
            containerd ->
                containerd
                    .namespace("k8s.io")
                    .container(
                        HYBRID_ID,
                        "docker.io/library/busybox:1.36",
                        Map.of(),
                        spec(
                            HYBRID_POD_SLICE + ":cri-containerd:" + HYBRID_ID,
                            "{\"cpu\":{\"shares\":2,\"period\":100000}}"))
                    .task(HYBRID_ID, 5120, RUNNING));
    assertEquals(
        100000.0,
        InProcessExporter.value(fromSpec, "container_spec_cpu_period", "name", HYBRID_ID));
  }

  // ---------------------------------------------------------------- the inventories

  /**
   * The v2 pod: app container, its sandbox, and a container of the same pod whose scope is already
   * gone.
   */
  private static void installV2Pod(FakeContainerd containerd) {
    Map<String, String> pod =
        Map.of(
            "io.kubernetes.pod.namespace", "shop",
            "io.kubernetes.pod.name", "checkout-7c9d5b8f4-x2lqp",
            "io.kubernetes.pod.uid", "7d2b8f4e-3a61-4c0e-9f15-2e8c4d6a1b90");
    containerd
        .namespace("k8s.io")
        .container(
            V2_SANDBOX_ID,
            "registry.k8s.io/pause:3.10",
            with(pod, "io.cri-containerd.kind", "sandbox"),
            spec(V2_POD_SLICE + ":cri-containerd:" + V2_SANDBOX_ID, "{\"cpu\":{\"shares\":2}}"))
        .container(
            V2_APP_ID,
            "registry.example/shop/checkout:2.3.1",
            with(
                with(pod, "io.cri-containerd.kind", "container"),
                "io.kubernetes.container.name",
                "checkout"),
            spec(
                V2_POD_SLICE + ":cri-containerd:" + V2_APP_ID,
                "{\"cpu\":{\"shares\":2048,\"quota\":200000,"
                    + "\"period\":100000},\"memory\":{\"limit\":268435456,\"swap\":268435456}}"))
        .container(
            VANISHED_ID,
            "registry.example/shop/checkout:2.3.1",
            with(
                with(pod, "io.cri-containerd.kind", "container"),
                "io.kubernetes.container.name",
                "migrate"),
            spec(V2_POD_SLICE + ":cri-containerd:" + VANISHED_ID, "{\"cpu\":{\"shares\":2}}"))
        .task(V2_SANDBOX_ID, 31302, RUNNING)
        .task(V2_APP_ID, 31337, RUNNING)
        .task(VANISHED_ID, 31350, RUNNING);
  }

  /**
   * An OCI runtime spec with {@code linux.resources}, which {@link FakeNamespace#spec} does not
   * write. Shaped like containerd's: resources sit next to cgroupsPath under "linux".
   */
  static String spec(String cgroupsPath, String resourcesJson) {
    return "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"/bin/sh\"],\"cwd\":\"/\"},"
        + "\"root\":{\"path\":\"rootfs\"},\"annotations\":{},"
        + "\"linux\":{\"cgroupsPath\":\""
        + cgroupsPath
        + "\",\"resources\":"
        + resourcesJson
        + "}}";
  }

  private static Map<String, String> with(Map<String, String> labels, String key, String value) {
    Map<String, String> out = new TreeMap<>(labels);
    out.put(key, value);
    return out;
  }

  // ---------------------------------------------------------------- running the exporter

  /**
   * Starts the fake containerd with {@code inventory} and the exporter over {@code cgroupfs};
   * returns the first scrape whose poll ran task-stats successfully. One poll is enough (the
   * interval is 1h): every value comes from files that do not change.
   */
  private static MetricsText scrape(Path cgroupfs, Consumer<FakeContainerd> inventory)
      throws IOException {
    Instant before = Instant.now();
    try (FakeContainerd containerd = new FakeContainerd()) {
      inventory.accept(containerd);
      containerd.start();
      // Collectors that only talk to containerd's stores are off: they have nothing to do with
      // cgroups.
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(),
              "--poll.interval=1h",
              "--path.cgroupfs=" + cgroupfs,
              "--path.sysfs=" + SYSFS,
              "--no-collector.images",
              "--no-collector.content",
              "--no-collector.snapshots")) {
        MetricsText m =
            exporter.awaitScrape(
                Duration.ofSeconds(10),
                "task-stats to succeed",
                s -> InProcessExporter.success(s, "task-stats") == 1.0);
        // The poll that produced this scrape ran after the exporter started: its last-seen is
        // recent, not some
        // fixed or zero time (it cannot be in the golden file, so it is checked here).
        for (MetricsText.Sample seen : m.samples("container_last_seen")) {
          assertTrue(
              seen.value() >= before.getEpochSecond() - 1
                  && seen.value() <= Instant.now().getEpochSecond() + 1,
              "container_last_seen " + seen);
        }
        return m;
      }
    }
  }

  // ---------------------------------------------------------------- assertions

  /**
   * The golden comparison, after the checks every layout shares: exactly the live tasks have series
   * (the vanished one, and nothing else, is missing), and no read error was counted.
   */
  private static void assertGolden(String golden, MetricsText m, List<String> live) {
    Set<String> named =
        m.samples().stream()
            .filter(
                s ->
                    s.name().startsWith("container_")
                        && !s.name().startsWith("container_oom_events"))
            .map(s -> s.labels().get("name"))
            .collect(Collectors.toSet());
    assertEquals(Set.copyOf(live), named, "series for exactly the tasks whose cgroup exists");
    assertEquals(
        Set.copyOf(live),
        m.samples("container_last_seen").stream()
            .map(s -> s.labels().get("name"))
            .collect(Collectors.toSet()),
        "last seen for exactly the live tasks");
    assertEquals(
        List.of(),
        m.samples("containerd_exporter_cgroup_read_errors_total"),
        "a vanished cgroup is not a read error, and the fixtures are well formed");

    String text = taskStatsFamilies(m.text());
    GoldenFiles.assertMatches(golden, text);
    GoldenScrapeTest.assertPromtoolAccepts(text);
  }

  private static void assertValues(MetricsText m, String container, Map<String, Double> expected) {
    expected.forEach(
        (family, value) ->
            assertEquals(
                value,
                InProcessExporter.value(m, family, "name", container),
                family + " of " + container));
  }

  private static void assertAbsent(MetricsText m, String container, String... families) {
    for (String family : families) {
      assertFalse(
          m.samples(family).stream().anyMatch(s -> container.equals(s.labels().get("name"))),
          family + " of " + container + " must be absent");
    }
  }

  private static void assertFs(
      MetricsText m,
      String container,
      String device,
      double readBytes,
      double writeBytes,
      double reads,
      double writes) {
    String[] labels = {"name", container, "device", device};
    assertEquals(
        readBytes, InProcessExporter.value(m, "container_fs_reads_bytes_total", labels), device);
    assertEquals(
        writeBytes, InProcessExporter.value(m, "container_fs_writes_bytes_total", labels), device);
    assertEquals(reads, InProcessExporter.value(m, "container_fs_reads_total", labels), device);
    assertEquals(writes, InProcessExporter.value(m, "container_fs_writes_total", labels), device);
  }

  private static Map<String, String> labels(MetricsText m, String family, String container) {
    return m.samples(family).stream()
        .filter(s -> container.equals(s.labels().get("name")))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + family + " for " + container + " in:\n" + m.text()))
        .labels();
  }

  // ---------------------------------------------------------------- helpers

  /**
   * The task-stats part of an exposition, HELP and TYPE lines included: container_* without
   * container_last_seen (wall-clock) and container_oom_events_total (the event subscriber's), and
   * the cgroup read errors.
   */
  static String taskStatsFamilies(String exposition) {
    return exposition
        .lines()
        .filter(line -> kept(metricName(line)))
        .map(line -> line + "\n")
        .collect(Collectors.joining());
  }

  private static boolean kept(String name) {
    if (name.startsWith("containerd_exporter_cgroup_read_errors")) {
      return true;
    }
    return name.startsWith("container_")
        && !name.equals("container_last_seen")
        && !name.startsWith("container_oom_events");
  }

  /** The metric name of a sample, HELP or TYPE line; "" for other lines. */
  private static String metricName(String line) {
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      return line.split(" ", 4)[2];
    }
    if (line.startsWith("#")) {
      return "";
    }
    int end = 0;
    while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
      end++;
    }
    return line.substring(0, end);
  }

  /**
   * Copies a tree, symlinked directories as real ones, so a test may break a file the symlink
   * points at.
   */
  private static Path copyFollowingLinks(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from, FileVisitOption.FOLLOW_LINKS)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
    return to;
  }
}
