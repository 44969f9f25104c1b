package io.containerdexporter.it.matrix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.containerdexporter.cri.CriClient;
import io.containerdexporter.docs.MetricsTable;
import io.containerdexporter.it.Await;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.it.Promtool;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scenario every cell of the matrix runs, each test one column of docs/compatibility.md. Every
 * assertion compares the exporter's scrape with what containerd ({@code ctr}) or the kernel (cgroup
 * files, through {@link KernelView}) say at the same moment on the same machine; waits scale with
 * the cell's {@link Cell#slowness()}.
 */
@ExtendWith(CompatibilityRecorder.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class Scenarios {
  static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;

  static final String INVENTORY = "inventory";
  static final String CGROUP_TRUTH = "cgroup truth";
  static final String MAX_USAGE = "max usage";
  static final String V2_ONLY = "PSI (v2-only families)";
  static final String OOM_PID1 = "OOM of PID 1";
  static final String OOM_CHILD = "OOM of a child";
  static final String GROUP_KILL = "group kill (3 processes)";
  static final String EXITS = "exits";
  static final String RESTART = "restart + OOM in outage";
  static final String CRI = "CRI pod labels";
  static final String DOCUMENTED = "documented families";

  /**
   * Room for runc's init (runc 1.1.15 copies itself into a memfd charged to the container: ~9 MiB,
   * so 8 MiB kills it before the task starts) and little more, so the memory eater hits the limit
   * within a second.
   */
  private static final RunOptions SMALL_LIMIT =
      RunOptions.builder().memoryLimitBytes(32L << 20).build();

  /** A shell loop that doubles a string until the memory limit kills it. */
  private static final String EAT_MEMORY = "x=a; while :; do x=$x$x; done";

  private static final long WORKER_LIMIT = 64L << 20;
  private static final String TRUTH_NS = "truth";

  private final Cell cell;

  /** {@code cell}: the one {@link CellInvocations} started for this invocation of the class. */
  Scenarios(Cell cell) {
    this.cell = cell;
  }

  /** The cell of the current invocation. */
  final Cell cell() {
    return cell;
  }

  /** The cell's row in the table, with the daemon's exact version. */
  String cellName() {
    return cell.name() + " — " + cell.serverVersion();
  }

  // ---------------------------------------------------------------- helpers

  private MetricsText awaitScrape(
      Duration onTheHost, String what, java.util.function.Predicate<MetricsText> ok) {
    return awaitScrape(onTheHost, what, ok, m -> "");
  }

  /**
   * @param diagnosis what the failure message adds, from the last scrape: CI shows the message, not
   *     the report
   */
  private MetricsText awaitScrape(
      Duration onTheHost,
      String what,
      java.util.function.Predicate<MetricsText> ok,
      java.util.function.Function<MetricsText, String> diagnosis) {
    Duration patience = cell.patience(onTheHost);
    try {
      return Await.until(patience, what, cell::scrape, ok);
    } catch (AssertionError e) {
      // The table gets a sentence; the exporter's log goes to the IT's report, where it is
      // readable.
      String log = cell.exporterLog();
      System.err.printf(
          "[matrix] %s: %s not seen; exporter log (tail):%n%s%n",
          cellName(), what, log.substring(Math.max(0, log.length() - 3000)));
      String why = diagnosis.apply(cell.scrape());
      throw new AssertionError(
          what
              + " was not seen within "
              + patience.toSeconds()
              + " s of scraping"
              + (why.isEmpty() ? "" : " (" + why + ")")
              + " (the exporter's log is in the IT report)",
          e);
    }
  }

  /**
   * Where an OOM kill was lost: whether the shim published it ({@code /tasks/oom} envelopes the
   * exporter received in the namespace) and what the exporter counts, against the kernel.
   */
  private String oomDiagnosis(MetricsText m, String ns, String id, KernelView kernel) {
    String kills;
    try {
      kills = String.valueOf(kernel.oomKills());
    } catch (AssertionError gone) {
      kills = "unreadable (" + gone.getMessage() + ")";
    }
    return "kernel oom_kill "
        + kills
        + "; /tasks/oom events received in "
        + ns
        + ": "
        + m.value("containerd_events_total", "containerd_namespace", ns, "topic", "/tasks/oom")
            .map(String::valueOf)
            .orElse("none")
        + "; counted "
        + value(m, "container_oom_events_total", ns, id).map(String::valueOf).orElse("(no series)");
  }

  /** Every container's {@code container_oom_events_total}, by containerd namespace/name. */
  private static java.util.Map<String, Double> oomCounts(MetricsText m) {
    java.util.Map<String, Double> counts = new java.util.TreeMap<>();
    for (MetricsText.Sample s : m.samples("container_oom_events_total")) {
      counts.put(s.labels().get("containerd_namespace") + "/" + s.labels().get("name"), s.value());
    }
    return counts;
  }

  private void awaitStatus(String ns, String id, String status, Duration onTheHost) {
    Await.until(
        cell().patience(onTheHost),
        ns + "/" + id + " " + status,
        () -> cell().taskStatus(ns, id),
        status::equals);
  }

  private void awaitStreamUp() {
    awaitScrape(
        Duration.ofSeconds(15),
        "the event stream up",
        m -> m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
  }

  private Optional<Double> value(
      MetricsText m, String family, String ns, String id, String... more) {
    String[] pairs = new String[4 + more.length];
    pairs[0] = "containerd_namespace";
    pairs[1] = ns;
    pairs[2] = "name";
    pairs[3] = id;
    System.arraycopy(more, 0, pairs, 4, more.length);
    return m.value(family, pairs);
  }

  private synchronized void startWorker() {
    if (!cell.taskStatus(TRUTH_NS, "worker").equals("NOT_FOUND")) {
      return;
    }
    cell.prepareNamespace(TRUTH_NS);
    // Burns CPU for a while, fills 16 MiB of tmpfs (page cache), then sits still: a quiescent
    // moment to compare at.
    cell.run(
        TRUTH_NS,
        "worker",
        RunOptions.builder().memoryLimitBytes(WORKER_LIMIT).cpuQuota(50_000, 100_000).build(),
        "sh",
        "-c",
        "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; head -c 16777216 /dev/zero > /dev/shm/hold; "
            + "touch /tmp/done; exec sleep 100000");
    Await.until(
        cell.patience(Duration.ofSeconds(60)),
        "the worker to finish burning",
        () ->
            cell.exec(
                TRUTH_NS,
                "worker",
                "probe-" + UUID.randomUUID().toString().substring(0, 8),
                "test",
                "-f",
                "/tmp/done"),
        code -> code == 0);
  }

  /**
   * Retries until the exporter's value equals the kernel's read right after the scrape (the poll is
   * periodic).
   */
  private void awaitEqual(
      String what, String family, java.util.function.DoubleSupplier kernel, double tolerance) {
    double[] last = new double[2];
    try {
      Await.until(
          cell.patience(Duration.ofSeconds(10)),
          what,
          () -> {
            Optional<Double> exported = value(cell.scrape(), family, TRUTH_NS, "worker");
            last[0] = exported.orElse(Double.NaN);
            last[1] = kernel.getAsDouble();
            return exported.isPresent()
                && Math.abs(last[0] - last[1]) <= tolerance * Math.max(1, Math.abs(last[1]));
          },
          ok -> ok);
    } catch (AssertionError e) {
      throw new AssertionError(
          what + ": exporter " + family + " = " + last[0] + ", kernel " + last[1], e);
    }
  }

  // ---------------------------------------------------------------- scenarios

  @Test
  @Order(1)
  @Scenario(INVENTORY)
  void inventoryEqualsWhatContainerdLists() {
    String ns = "inv";
    cell.prepareNamespace(ns);
    cell.run(ns, "up-1", RunOptions.DEFAULTS, "sleep", "100000");
    cell.run(ns, "up-2", RunOptions.DEFAULTS, "sleep", "100000");
    cell.run(ns, "done", RunOptions.DEFAULTS, "sh", "-c", "exit 0");
    awaitStatus(ns, "done", "STOPPED", Duration.ofSeconds(10));
    cell.ctr("--namespace", ns, "containers", "create", BUSYBOX, "no-task");

    long containers = lines(cell.ctr("--namespace", ns, "containers", "list", "--quiet"));
    long images = lines(cell.ctr("--namespace", ns, "images", "list", "--quiet"));
    String tasks = cell.ctr("--namespace", ns, "tasks", "list");
    long running = tasks.lines().filter(l -> l.endsWith("RUNNING")).count();
    long stopped = tasks.lines().filter(l -> l.endsWith("STOPPED")).count();
    assertEquals(4, containers, "ctr's own listing");
    MetricsText m =
        awaitScrape(
            Duration.ofSeconds(10),
            "inventory equal to ctr's",
            s ->
                s.value("containerd_containers", "containerd_namespace", ns)
                        .equals(Optional.of((double) containers))
                    && s.value("containerd_tasks", "containerd_namespace", ns, "status", "running")
                        .equals(Optional.of((double) running))
                    && s.value("containerd_tasks", "containerd_namespace", ns, "status", "stopped")
                        .equals(Optional.of((double) stopped)));
    assertEquals(
        Optional.of((double) images),
        m.value("containerd_images", "containerd_namespace", ns),
        "containerd_images equals ctr's image count");
    assertEquals(2, running, "ctr lists two running tasks");
    assertEquals(1, stopped, "ctr lists one stopped task");
  }

  private static long lines(String listing) {
    return listing.lines().filter(l -> !l.isBlank()).count();
  }

  @Test
  @Order(2)
  @Scenario(CGROUP_TRUTH)
  void statsEqualTheKernelsCgroupFiles() {
    startWorker();
    KernelView kernel = new KernelView(cell(), TRUTH_NS, "worker");
    awaitEqual(
        "CPU seconds vs the cgroup's usage, within 1 %",
        "container_cpu_usage_seconds_total", kernel::cpuSeconds, 0.01);
    assertTrue(kernel.cpuSeconds() > 0.05, "the loop burned CPU: " + kernel.cpuSeconds());
    awaitEqual("memory usage", "container_memory_usage_bytes", kernel::memoryUsage, 0);
    awaitEqual("working set", "container_memory_working_set_bytes", kernel::workingSet, 0);
    awaitEqual("threads vs pids.current", "container_threads", kernel::pids, 0);
    awaitEqual("memory limit", "container_spec_memory_limit_bytes", kernel::memoryLimit, 0);
    assertEquals(WORKER_LIMIT, kernel.memoryLimit());
    awaitEqual("CPU quota", "container_spec_cpu_quota", kernel::cpuQuotaMicros, 0);
    awaitEqual("CPU period", "container_spec_cpu_period", kernel::cpuPeriodMicros, 0);
    MetricsText m = cell().scrape();
    assertTrue(
        value(m, "container_memory_cache", TRUTH_NS, "worker").orElseThrow() >= 16 << 20,
        "the 16 MiB in /dev/shm is page cache");
    MetricsText.Sample sample =
        m.samples("container_memory_usage_bytes").stream()
            .filter(s -> "worker".equals(s.labels().get("name")))
            .findFirst()
            .orElseThrow();
    assertEquals("/" + TRUTH_NS + "/worker", sample.labels().get("id"));
    assertEquals(BUSYBOX, sample.labels().get("image"));
    assertEquals(TRUTH_NS, sample.labels().get("containerd_namespace"));
    assertEquals("", sample.labels().getOrDefault("namespace", ""), "not a Kubernetes container");
  }

  @Test
  @Order(3)
  @Scenario(MAX_USAGE)
  void maxUsageIsTheKernelsPeak() {
    startWorker();
    KernelView kernel = new KernelView(cell(), TRUTH_NS, "worker");
    // v1: memory.max_usage_in_bytes; v2: memory.peak (kernel ≥ 5.19), which cAdvisor leaves at 0
    // (cadvisor#3062).
    awaitEqual(
        "max usage vs the kernel's peak",
        "container_memory_max_usage_bytes",
        kernel::memoryPeak,
        0);
    assertTrue(kernel.memoryPeak() >= 16 << 20, "the worker held 16 MiB at its peak");
  }

  @Test
  @Order(4)
  @Scenario(V2_ONLY)
  void pressureFamiliesExistExactlyWhereTheKernelHasPsi() {
    startWorker();
    KernelView kernel = new KernelView(cell, TRUTH_NS, "worker");
    List<String> psi =
        MetricsTable.rows().stream()
            .filter(MetricsTable.Row::cgroupV2Only)
            .map(MetricsTable.Row::name)
            .filter(n -> n.startsWith("container_pressure_"))
            .toList();
    assertEquals(6, psi.size(), "cpu, memory, io × waiting, stalled: " + psi);
    if (cell.cgroupVersion() == 1) {
      MetricsText m =
          awaitScrape(
              Duration.ofSeconds(10),
              "stats of the worker",
              s -> value(s, "container_memory_usage_bytes", TRUTH_NS, "worker").isPresent());
      Set<String> leaked =
          psi.stream().filter(f -> !m.samples(f).isEmpty()).collect(Collectors.toSet());
      assertEquals(
          Set.of(), leaked, "a cgroup v1 kernel has no PSI files: no pressure family may appear");
      return;
    }
    for (String resource : List.of("cpu", "memory", "io")) {
      awaitEqual(
          resource + " pressure (some)",
          "container_pressure_" + resource + "_waiting_seconds_total",
          () -> kernel.pressureSeconds(resource, "some"),
          0.01);
      awaitEqual(
          resource + " pressure (full)",
          "container_pressure_" + resource + "_stalled_seconds_total",
          () -> kernel.pressureSeconds(resource, "full"),
          0.01);
    }
  }

  @Test
  @Order(5)
  @Scenario(OOM_PID1)
  void anOomOfPid1IsOneKillAndAn137Exit() {
    String ns = "oom";
    cell.prepareNamespace(ns);
    awaitStreamUp();
    cell.run(ns, "oom-pid1", SMALL_LIMIT, "sh", "-c", EAT_MEMORY);
    awaitStatus(ns, "oom-pid1", "STOPPED", Duration.ofSeconds(20));
    MetricsText m =
        awaitScrape(
            Duration.ofSeconds(2),
            "the OOM on /metrics",
            s ->
                value(s, "container_oom_events_total", ns, "oom-pid1").equals(Optional.of(1.0))
                    && value(s, "containerd_task_exits_total", ns, "oom-pid1", "exit_code", "137")
                        .isPresent(),
            s -> oomDiagnosis(s, ns, "oom-pid1", new KernelView(cell, ns, "oom-pid1")));
    assertEquals(
        Optional.of(1.0),
        value(m, "containerd_task_exits_total", ns, "oom-pid1", "exit_code", "137"),
        "one exit with code 137");
    assertEquals(
        Optional.of(137.0),
        value(m, "containerd_task_last_exit_code", ns, "oom-pid1"),
        "the last exit code is 137");
  }

  @Test
  @Order(6)
  @Scenario(OOM_CHILD)
  void anOomOfAChildIsCountedWhilePid1LivesOn() {
    String ns = "oomchild";
    cell.prepareNamespace(ns);
    awaitStreamUp();
    cell.run(
        ns, "oom-child", SMALL_LIMIT, "sh", "-c", "sh -c '" + EAT_MEMORY + "'; exec sleep 100000");
    KernelView kernel = new KernelView(cell, ns, "oom-child");
    Await.until(
        cell.patience(Duration.ofSeconds(20)),
        "the kernel to OOM-kill the child",
        kernel::oomKills,
        n -> n == 1);
    awaitScrape(
        Duration.ofSeconds(2),
        "the child's OOM on /metrics",
        s -> value(s, "container_oom_events_total", ns, "oom-child").equals(Optional.of(1.0)),
        s -> oomDiagnosis(s, ns, "oom-child", kernel));
    assertEquals("RUNNING", cell.taskStatus(ns, "oom-child"), "PID 1 lives on");
    assertEquals(
        Optional.empty(),
        value(cell.scrape(), "containerd_task_last_exit_code", ns, "oom-child"),
        "PID 1 did not exit");
  }

  @Test
  @Order(7)
  @Scenario(GROUP_KILL)
  void aGroupKillCountsEveryKilledProcess() {
    assumeTrue(cell.cgroupVersion() == 2, "memory.oom.group exists only on cgroup v2");
    String ns = "group";
    cell.prepareNamespace(ns);
    awaitStreamUp();
    // Exactly three processes: PID 1 and two sleepers. PID 1 waits on a FIFO (a polling loop would
    // fork a fourth,
    // short-lived process, and the group kill would take it too), then eats memory once the test
    // writes to it.
    cell.run(
        ns,
        "group",
        SMALL_LIMIT,
        "sh",
        "-c",
        "mkfifo /tmp/go; sleep 100000 & sleep 100000 & read x < /tmp/go; " + EAT_MEMORY);
    KernelView kernel = new KernelView(cell, ns, "group");
    Await.until(
        cell.patience(Duration.ofSeconds(10)),
        "three processes (sh and two sleeps) in the cgroup",
        () -> processes(kernel),
        p -> p.size() == 3);
    // What kubelet does on cgroup v2: the whole container is killed together.
    cell.writeFile(kernel.v2Path("memory.oom.group"), "1");
    // Not through ctr exec: that would add a fourth process to the cgroup, and the group kill would
    // take it too.
    touchInTask(kernel, "/tmp/go"); // opens the FIFO for writing: PID 1's read returns
    awaitStatus(ns, "group", "STOPPED", Duration.ofSeconds(20));
    long killed = kernel.oomKills();
    // Seen on 6.12: oom_kill is 4 for these 3 processes. The group kill (mm/oom_kill.c) kills every
    // member again,
    // the first victim included, and counts each kill: the kernel's counter is the decided unit, so
    // compare to it.
    assertTrue(
        killed >= 3, "the kernel killed all three (memory.events oom_kill = " + killed + ")");
    awaitScrape(
        Duration.ofSeconds(2),
        "container_oom_events_total = the kernel's oom_kill (" + killed + ")",
        s ->
            value(s, "container_oom_events_total", ns, "group")
                .equals(Optional.of((double) killed)));
  }

  @Test
  @Order(8)
  @Scenario(EXITS)
  void exitCodesAreCountedUnderTheirLabel() {
    String ns = "exits";
    cell.prepareNamespace(ns);
    awaitStreamUp();
    cell.run(ns, "exit-0", RunOptions.DEFAULTS, "sh", "-c", "exit 0");
    cell.run(ns, "exit-1", RunOptions.DEFAULTS, "sh", "-c", "exit 1");
    cell.run(ns, "exit-137", RunOptions.DEFAULTS, "sleep", "100000");
    cell.kill(ns, "exit-137", "SIGKILL");
    for (String[] expected :
        new String[][] {{"exit-0", "0"}, {"exit-1", "1"}, {"exit-137", "137"}}) {
      MetricsText m =
          awaitScrape(
              Duration.ofSeconds(10),
              expected[0] + " counted under exit_code " + expected[1],
              s ->
                  value(s, "containerd_task_exits_total", ns, expected[0], "exit_code", expected[1])
                      .equals(Optional.of(1.0)));
      assertEquals(
          1,
          m.samples("containerd_task_exits_total").stream()
              .filter(s -> expected[0].equals(s.labels().get("name")))
              .count(),
          "one exit code series");
      assertEquals(
          Optional.of(Double.parseDouble(expected[1])),
          value(m, "containerd_task_last_exit_code", ns, expected[0]),
          "the last exit code of " + expected[0]);
    }
  }

  @Test
  @Order(9)
  @Scenario(CRI)
  void aCriPodsContainerCarriesKubernetesLabels() {
    CriClient cri = cell.cri();
    cell.prepareNamespace(CriClient.K8S_NAMESPACE);
    awaitStreamUp();
    String uid = UUID.randomUUID().toString();
    String pod = cri.runPod("shop", "web-0", uid);
    String app = cri.createContainer(pod, "app", 0, BUSYBOX, "sleep", "100000");
    cri.startContainer(app);
    MetricsText m =
        awaitScrape(
            Duration.ofSeconds(10),
            "the app's start with its pod's labels",
            s ->
                s.value(
                        "containerd_task_starts_total",
                        "containerd_namespace",
                        CriClient.K8S_NAMESPACE,
                        "namespace",
                        "shop",
                        "pod",
                        "web-0",
                        "container",
                        "app",
                        "name",
                        app,
                        "id",
                        cri.podCgroupParent(uid) + "/" + app)
                    .equals(Optional.of(1.0)));
    // The per-container stats families carry the same identity.
    awaitScrape(
        Duration.ofSeconds(10),
        "the app's stats with its pod's labels",
        s ->
            s.value(
                    "container_memory_usage_bytes",
                    "namespace",
                    "shop",
                    "pod",
                    "web-0",
                    "container",
                    "app")
                .isPresent());
    assertTrue(
        m.samples("containerd_task_starts_total").stream()
            .noneMatch(s -> "shop".equals(s.labels().get("containerd_namespace"))),
        "containerd_namespace is containerd's (k8s.io), never Kubernetes'");
    cri.stopPod(pod);
    cri.removePod(pod);
  }

  @Test
  @Order(10)
  @Scenario(DOCUMENTED)
  void exposedFamiliesAreDocumentedAndV2OnlyOnesOnlyOnV2() {
    startWorker();
    boolean v2 = cell.cgroupVersion() == 2;
    MetricsText m =
        awaitScrape(
            Duration.ofSeconds(10),
            "stats of the worker",
            s -> value(s, "container_memory_usage_bytes", TRUTH_NS, "worker").isPresent());
    Set<String> documented =
        MetricsTable.rows().stream()
            .map(MetricsTable.Row::name)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> v2Only =
        MetricsTable.rows().stream()
            .filter(MetricsTable.Row::cgroupV2Only)
            .map(MetricsTable.Row::name)
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> exposed = exposedFamilies(m);
    Set<String> undocumented = new TreeSet<>(exposed);
    undocumented.removeAll(documented);
    assertEquals(Set.of(), undocumented, "every exposed family is in docs/metrics.md");
    Set<String> v2OnlyExposed = new TreeSet<>(v2Only);
    v2OnlyExposed.retainAll(exposed);
    assertEquals(
        v2 ? v2Only : Set.of(),
        v2OnlyExposed,
        v2
            ? "every v2-only family appears on cgroup v2"
            : "no v2-only family appears on cgroup v1");
    Promtool.Result lint = Promtool.checkMetrics(m.text());
    assertEquals("", lint.output().strip(), "promtool check metrics");
    assertEquals(0, lint.exitCode());
  }

  /**
   * Families with at least one sample, by the name in their TYPE line; the documented jvm_/process_
   * groups aside.
   */
  private static Set<String> exposedFamilies(MetricsText m) {
    Set<String> prefixes = MetricsTable.wildcardPrefixes();
    Set<String> withSamples =
        m.samples().stream().map(MetricsText.Sample::name).collect(Collectors.toSet());
    Set<String> exposed = new TreeSet<>();
    for (String line : m.text().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String family = line.split(" ")[2];
        boolean hasSamples =
            withSamples.stream().anyMatch(s -> s.equals(family) || s.startsWith(family + "_"));
        if (hasSamples && prefixes.stream().noneMatch(family::startsWith)) {
          exposed.add(family);
        }
      }
    }
    return exposed;
  }

  @Test
  @Order(11)
  @Scenario(RESTART)
  void anOomWhileContainerdIsDownIsCountedExactlyOnceAfterItReturns() {
    String ns = "outage";
    cell.prepareNamespace(ns);
    awaitStreamUp();
    // The child waits for a file, so the OOM happens while containerd is dead; the shim and the
    // task keep running.
    cell.run(
        ns,
        "oom-away",
        SMALL_LIMIT,
        "sh",
        "-c",
        "while [ ! -f /tmp/go ]; do sleep 0.2; done; sh -c '"
            + EAT_MEMORY
            + "'; exec sleep 100000");
    awaitScrape(
        Duration.ofSeconds(5),
        "the exporter to know the task",
        s -> value(s, "container_oom_events_total", ns, "oom-away").equals(Optional.of(0.0)));
    // The cell's exporter served the scenarios before: only what this outage adds is this one's.
    MetricsText before = cell.scrape();
    double reconnects =
        before.value("containerd_exporter_event_stream_reconnects_total").orElseThrow();
    double recoveredBefore =
        before.value("containerd_exporter_events_recovered_total", "event", "oom").orElse(0.0);
    java.util.Map<String, Double> oomsBefore = oomCounts(before);

    cell.killDaemon();
    // With containerd dead, no ctr exec: reach the task's filesystem through its PID 1's root
    // instead.
    KernelView kernel = new KernelView(cell, ns, "oom-away");
    touchInTask(kernel, "/tmp/go");
    Await.until(
        cell.patience(Duration.ofSeconds(20)),
        "the OOM to happen while containerd is down",
        kernel::oomKills,
        n -> n == 1);
    awaitScrape(
        Duration.ofSeconds(5),
        "the stream down",
        s -> s.value("containerd_exporter_event_stream_up").equals(Optional.of(0.0)));

    cell.startDaemon();
    MetricsText m =
        awaitScrape(
            Duration.ofSeconds(15),
            "the missed OOM counted after reconnecting",
            s -> value(s, "container_oom_events_total", ns, "oom-away").equals(Optional.of(1.0)));
    // Every kill the reconcile recovered shows once in its container's series: this one, and any
    // kill of another container that no event told of (none is expected; the message names it).
    java.util.Map<String, Double> rises = new java.util.TreeMap<>();
    oomCounts(m)
        .forEach(
            (container, count) -> {
              double rise = count - oomsBefore.getOrDefault(container, 0.0);
              if (rise != 0) {
                rises.put(container, rise);
              }
            });
    double recovered =
        m.value("containerd_exporter_events_recovered_total", "event", "oom").orElse(0.0)
            - recoveredBefore;
    assertEquals(
        rises.values().stream().mapToDouble(Double::doubleValue).sum(),
        recovered,
        "the OOM kills the reconcile recovered are the rises of the containers' counts: " + rises);
    assertEquals(
        Optional.of(1.0),
        Optional.ofNullable(rises.get(ns + "/oom-away")),
        "the missed OOM was recovered once by the reconcile: " + rises);
    assertEquals(
        Optional.of(reconnects + 1),
        m.value("containerd_exporter_event_stream_reconnects_total"),
        "one reconnect");
    // Whatever the shim publishes late must not count it a second time.
    sleep(cell.patience(Duration.ofSeconds(5)));
    assertEquals(
        Optional.of(1.0),
        value(cell.scrape(), "container_oom_events_total", ns, "oom-away"),
        "the OOM is still counted once after the shim's late events");
    assertEquals("RUNNING", cell.taskStatus(ns, "oom-away"), "PID 1 survived the child's OOM");
  }

  /** The command names of the processes in the task's cgroup, as its kernel lists them. */
  private List<String> processes(KernelView kernel) {
    return cell.readFile(kernel.cgroupProcsPath())
        .orElse("")
        .lines()
        .map(String::strip)
        .filter(pid -> !pid.isEmpty())
        .map(pid -> cell.readFile("/proc/" + pid + "/comm").orElse("(gone)").strip())
        .toList();
  }

  /**
   * Creates a file in a task's filesystem through its processes' root, without ctr (and without a
   * new process).
   */
  private void touchInTask(KernelView kernel, String path) {
    String pid =
        cell()
            .readFile(kernel.cgroupProcsPath())
            .orElseThrow()
            .lines()
            .findFirst()
            .orElseThrow()
            .strip();
    cell().writeFile("/proc/" + pid + "/root" + path, "");
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
