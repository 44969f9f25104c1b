package io.containerdexporter.collect;

import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static io.containerdexporter.containerd.api.types.task.Status.STOPPED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import io.containerdexporter.cgroup.ApiStatsConverter;
import io.containerdexporter.cgroup.BlockDevices;
import io.containerdexporter.cgroup.CgroupFailure;
import io.containerdexporter.cgroup.CgroupFixtures;
import io.containerdexporter.cgroup.CgroupReadFailures;
import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.cgroup.RootCgroupReader;
import io.containerdexporter.config.ExporterConfig.StatsSource;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.cgroups.v2.CPUStat;
import io.containerdexporter.containerd.api.cgroups.v2.MemoryStat;
import io.containerdexporter.containerd.api.cgroups.v2.Metrics;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.OomKillReadings;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.metrics.Snapshots;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TaskStatsCollector}'s choice of source ({@code --stats.source}), call for call: tasks from
 * a fake containerd (which counts Tasks.Metrics calls), cgroups from the committed fixture trees or
 * an empty one, one collect per poll.
 */
class TaskStatsCollectorTest {

  static final Path CGROUPFS = Path.of("src/test/resources/cgroupfs");
  static final Path PROCFS = Path.of("src/test/resources/procfs-root");
  static final String METRICS = "containerd.services.tasks.v1.Tasks/Metrics";

  @TempDir Path empty;

  private final FakeContainerd containerd = new FakeContainerd();
  private final ReadErrors errors = new ReadErrors("cgroup", TaskStatsCollector.READ_ERRORS.name());
  private final CgroupReadFailures failures = CollectorCatalog.cgroupReadFailures();
  private ContainerdChannel channel;
  private ContainerdClient client;
  private TaskStatsCollector collector;
  private final OomKillReadings oomKills = new OomKillReadings();

  private void start(StatsSource source, Path cgroupfs) throws IOException {
    containerd.start();
    channel = new ContainerdChannel(containerd.socket());
    client = new ContainerdClient(channel, Duration.ofSeconds(5));
    CgroupReader reader = CgroupReaders.detect(cgroupfs, errors, failures);
    ApiStatsConverter converter = new ApiStatsConverter(errors);
    collector =
        new TaskStatsCollector(
            new ContainerIndex(),
            reader,
            errors,
            failures,
            new BlockDevices(CGROUPFS.resolve("sysfs")),
            source,
            new ApiStatsReader(
                client::taskMetrics,
                converter::convertAll,
                Duration.ofSeconds(5),
                Duration.ofSeconds(10)),
            new RootCgroupReader(cgroupfs, PROCFS, reader, errors),
            oomKills);
  }

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.close();
    }
    containerd.close();
  }

  /**
   * A cgroup v2 payload whose cpu seconds are {@code cpuSeconds}, packed with containerd's bare
   * type URL.
   */
  static Any v2(double cpuSeconds) {
    return bare(
        Metrics.newBuilder()
            .setCpu(CPUStat.newBuilder().setUsageUsec((long) (cpuSeconds * 1e6)))
            .setMemory(MemoryStat.newBuilder().setUsage(1000).setInactiveFile(400))
            .build());
  }

  static Any bare(Message m) {
    return Any.newBuilder()
        .setTypeUrl(m.getDescriptorForType().getFullName())
        .setValue(m.toByteString())
        .build();
  }

  /**
   * api: one Tasks.Metrics per namespace per poll, however many tasks; the cgroup files (and the
   * root) unread.
   */
  @Test
  void apiCallsOncePerNamespacePerPoll() throws Exception {
    containerd
        .namespace("default")
        .container("a", "docker.io/library/redis:7.4", Map.of())
        .task("a", 10, RUNNING)
        .taskMetrics("a", v2(1))
        .container("b", "docker.io/library/redis:7.4", Map.of())
        .task("b", 11, RUNNING)
        .taskMetrics("b", v2(2))
        .container("c1", "docker.io/library/redis:7.4", Map.of(), spec("/default/c1"))
        .task("c1", 12, RUNNING)
        .taskMetrics("c1", v2(3))
        // A stopped task has no series, whatever containerd says; one without a payload neither.
        .container("done", "docker.io/library/redis:7.4", Map.of())
        .task("done", 0, STOPPED)
        .taskMetrics("done", v2(4))
        .container("quiet", "docker.io/library/redis:7.4", Map.of())
        .task("quiet", 13, RUNNING);
    containerd
        .namespace("other")
        .container("x", "docker.io/library/nginx:1", Map.of())
        .task("x", 20, RUNNING)
        .taskMetrics("x", v2(5));
    containerd.namespace("idle"); // no live task: no call
    start(
        StatsSource.API,
        CGROUPFS.resolve("root-v2")); // c1's cgroup is not there, the root is, neither is read

    Map<String, Double> cpu =
        cpuByName(Snapshots.of(collector.collect(scope("default", "other", "idle"))));
    assertEquals(Map.of("a", 1.0, "b", 2.0, "c1", 3.0, "x", 5.0), cpu);
    assertEquals(2, containerd.calls(METRICS));

    collector.collect(scope("default", "other", "idle"));
    assertEquals(4, containerd.calls(METRICS));
  }

  /**
   * auto: files where the cgroup is on this host, Tasks.Metrics once for the rest of the namespace.
   */
  @Test
  void autoFallsBackOnlyForTasksNotOnThisHost() throws Exception {
    containerd
        .namespace("default")
        .container("c1", "docker.io/library/redis:7.4", Map.of(), spec("/default/c1"))
        .task("c1", 12, RUNNING)
        .taskMetrics("c1", v2(99)) // the files win
        .container("kata1", "docker.io/library/redis:7.4", Map.of())
        .task("kata1", 30, RUNNING)
        .taskMetrics("kata1", v2(7))
        .container("kata2", "docker.io/library/redis:7.4", Map.of())
        .task("kata2", 31, RUNNING)
        .taskMetrics("kata2", v2(8));
    containerd
        .namespace("onhost")
        .container("c1", "docker.io/library/redis:7.4", Map.of(), spec("/default/c1"))
        .task("c1", 40, RUNNING);
    start(StatsSource.AUTO, CGROUPFS.resolve("v1"));

    List<MetricSnapshot> out = Snapshots.of(collector.collect(scope("default", "onhost")));
    assertEquals(
        Map.of("c1", 5.273891204, "kata1", 7.0, "kata2", 8.0),
        cpuByName(out),
        "c1 from cpuacct.usage in both namespaces, kata1/kata2 from Tasks.Metrics");
    assertEquals(1, containerd.calls(METRICS), "once for 'default', never for 'onhost'");
    assertEquals(
        Map.of(
            new ContainerIndex.Key("default", "c1"), 1L,
            new ContainerIndex.Key("onhost", "c1"), 1L),
        oomKills.latest().kills(),
        "the round's OOM-kill counters, from memory.oom_control: the cgroups read, not the api's");
    long first = oomKills.latest().number();
    collector.collect(scope("default", "onhost"));
    assertEquals(first + 1, oomKills.latest().number(), "one round, one publication");
    assertEquals(
        600.0,
        value(out, "container_memory_working_set_bytes", "kata1").orElseThrow(),
        "usage 1000 − inactive_file 400");
  }

  @Test
  void autoWithNoCgroupfsReadsEverythingFromTheApi() throws Exception {
    containerd
        .namespace("default")
        .container("a", "docker.io/library/redis:7.4", Map.of())
        .task("a", 10, RUNNING)
        .taskMetrics("a", v2(1))
        .container("b", "docker.io/library/redis:7.4", Map.of())
        .task("b", 11, RUNNING)
        .taskMetrics("b", v2(2));
    start(StatsSource.AUTO, empty);

    assertEquals(
        Map.of("a", 1.0, "b", 2.0), cpuByName(Snapshots.of(collector.collect(scope("default")))));
    assertEquals(1, containerd.calls(METRICS));
  }

  @Test
  void cgroupfsNeverCallsTheApi() throws Exception {
    containerd
        .namespace("default")
        .container("kata1", "docker.io/library/redis:7.4", Map.of())
        .task("kata1", 30, RUNNING)
        .taskMetrics("kata1", v2(7));
    start(StatsSource.CGROUPFS, empty);

    assertEquals(Map.of(), cpuByName(Snapshots.of(collector.collect(scope("default")))));
    assertEquals(0, containerd.calls(METRICS));
  }

  /**
   * cAdvisor's root container: id="/", every other label empty; in cgroupfs and auto modes only.
   */
  @Test
  void rootSeriesFromTheRootCgroup() throws Exception {
    start(StatsSource.CGROUPFS, CGROUPFS.resolve("root-v2"));
    List<MetricSnapshot> out = Snapshots.of(collector.collect(scope()));

    DataPointSnapshot cpu = points(out, "container_cpu_usage_seconds_total").get(0);
    Map<String, String> labels = new TreeMap<>();
    cpu.getLabels().forEach(l -> labels.put(l.getName(), l.getValue()));
    assertEquals(
        Map.of(
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
            ""),
        labels);
    assertEquals(123456.789012, value(out, "container_cpu_usage_seconds_total", "").orElseThrow());
    assertEquals(5368709120.0, value(out, "container_memory_working_set_bytes", "").orElseThrow());
    assertEquals(7516192768.0, value(out, "container_memory_usage_bytes", "").orElseThrow());
    assertEquals(1073741824.0, value(out, "container_memory_swap", "").orElseThrow());
    // The root has no spec, start time or last-seen.
    assertEquals(List.of(), points(out, "container_spec_memory_limit_bytes"));
    assertEquals(List.of(), points(out, "container_last_seen"));
  }

  @Test
  void noRootSeriesFromTheApi() throws Exception {
    start(StatsSource.API, CGROUPFS.resolve("root-v2"));
    assertEquals(
        List.of(),
        points(Snapshots.of(collector.collect(scope())), "container_cpu_usage_seconds_total"));
  }

  @Test
  void unusablePayloadsAreCountedAndSkipped() throws Exception {
    containerd
        .namespace("default")
        .container("a", "docker.io/library/redis:7.4", Map.of())
        .task("a", 10, RUNNING)
        .taskMetrics("a", v2(1))
        .container("b", "docker.io/library/redis:7.4", Map.of())
        .task("b", 11, RUNNING)
        .taskMetrics(
            "b",
            Any.newBuilder()
                .setTypeUrl("io.containerd.cgroups.v2.Metrics")
                .setValue(ByteString.copyFrom(new byte[] {0x0a, 0x7f}))
                .build())
        .container("c", "docker.io/library/redis:7.4", Map.of())
        .task("c", 12, RUNNING)
        .taskMetrics(
            "c", Any.newBuilder().setTypeUrl("io.containerd.windows.hcsshim.Metrics").build());
    start(StatsSource.API, empty);

    List<MetricSnapshot> out = Snapshots.of(collector.collect(scope("default")));
    assertEquals(Map.of("a", 1.0), cpuByName(out));
    CounterSnapshot readErrors =
        (CounterSnapshot) snapshot(out, "containerd_exporter_cgroup_read_errors_total");
    assertEquals(1, readErrors.getDataPoints().size());
    assertEquals("Tasks.Metrics", readErrors.getDataPoints().get(0).getLabels().get("file"));
    assertEquals(2.0, readErrors.getDataPoints().get(0).getValue());
  }

  /**
   * A task whose cgroup cannot be read (here memory.stat, which the kernel never makes a directory:
   * EISDIR) is left out whole for the round, not asked of Tasks.Metrics, and counted by reason; the
   * other task is unaffected.
   */
  @Test
  void anUnreadableCgroupDropsThatTaskOnlyAndIsCounted(@TempDir Path tmp) throws Exception {
    Path root = CgroupFixtures.copy("v1", tmp.resolve("v1"));
    for (String controller : List.of("cpu,cpuacct", "memory", "pids", "blkio", "hugetlb")) {
      CgroupFixtures.copyTree(
          root.resolve(controller).resolve("default/c1"),
          root.resolve(controller).resolve("default/c2"));
    }
    Path stat = root.resolve("memory/default/c2/memory.stat");
    Files.delete(stat);
    Files.createDirectory(stat);
    containerd
        .namespace("default")
        .container("c1", "docker.io/library/redis:7.4", Map.of(), spec("/default/c1"))
        .task("c1", 12, RUNNING)
        .container("c2", "docker.io/library/redis:7.4", Map.of(), spec("/default/c2"))
        .task("c2", 13, RUNNING)
        .taskMetrics("c2", v2(99));
    start(StatsSource.AUTO, root);

    List<MetricSnapshot> out = Snapshots.of(collector.collect(scope("default")));
    assertEquals(Map.of("c1", 5.273891204), cpuByName(out));
    assertEquals(0, containerd.calls(METRICS), "its cgroup is on this host: no fallback");
    for (MetricSnapshot family : out) {
      for (DataPointSnapshot p : family.getDataPoints()) {
        assertTrue(
            !"c2".equals(p.getLabels().get("name")),
            family.getMetadata().getName() + " has a series of c2");
      }
    }
    Map<String, Double> byReason = new TreeMap<>();
    for (DataPointSnapshot p : points(out, "containerd_exporter_cgroup_read_failures_total")) {
      byReason.put(
          p.getLabels().get("reason"), ((CounterSnapshot.CounterDataPointSnapshot) p).getValue());
    }
    assertEquals(Map.of("vanished", 0.0, "denied", 0.0, "io", 1.0), byReason);
    assertTrue(points(out, "containerd_exporter_cgroup_read_errors_total").isEmpty());

    collector.collect(scope("default"));
    assertEquals(2, failures.count(CgroupFailure.IO), "once per task per round");
  }

  @Test
  void everyModeDeclaresTheSameFamilies() throws Exception {
    start(StatsSource.AUTO, empty);
    List<MetricSnapshot> out = Snapshots.of(collector.collect(scope()));
    assertEquals(
        collector.families().stream().map(FamilySpec::snapshotName).toList(),
        out.stream().map(s -> s.getMetadata().getName()).toList());
    assertTrue(collector.families().size() > 20);
  }

  // ---------------------------------------------------------------- helpers

  private static String spec(String cgroupsPath) {
    return io.containerdexporter.fake.FakeNamespace.spec(cgroupsPath, Map.of());
  }

  private PollScope scope(String... namespaces) {
    return Rounds.scope(client, new ContainerIndex(), Instant.now(), namespaces);
  }

  private MetricSnapshot snapshot(List<MetricSnapshot> out, String family) {
    String name =
        collector.families().stream()
            .filter(f -> f.name().equals(family))
            .findFirst()
            .orElseThrow()
            .snapshotName();
    return out.stream()
        .filter(s -> s.getMetadata().getName().equals(name))
        .findFirst()
        .orElseThrow();
  }

  private List<DataPointSnapshot> points(List<MetricSnapshot> out, String family) {
    return List.copyOf(snapshot(out, family).getDataPoints());
  }

  /** container_cpu_usage_seconds_total by the name label (the tasks; the root has name ""). */
  private Map<String, Double> cpuByName(List<MetricSnapshot> out) {
    Map<String, Double> byName = new TreeMap<>();
    for (DataPointSnapshot p : points(out, "container_cpu_usage_seconds_total")) {
      String name = p.getLabels().get("name");
      if (!name.isEmpty()) {
        byName.put(name, ((CounterSnapshot.CounterDataPointSnapshot) p).getValue());
      }
    }
    return byName;
  }

  private Optional<Double> value(List<MetricSnapshot> out, String family, String name) {
    return points(out, family).stream()
        .filter(p -> name.equals(p.getLabels().get("name")))
        .findFirst()
        .map(
            p ->
                p instanceof CounterSnapshot.CounterDataPointSnapshot c
                    ? c.getValue()
                    : ((GaugeSnapshot.GaugeDataPointSnapshot) p).getValue());
  }
}
