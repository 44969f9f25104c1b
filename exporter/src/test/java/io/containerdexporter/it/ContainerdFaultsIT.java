package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real daemon misbehaving while the exporter is scraped: kill -9 and restart three times in a
 * row under a scrape every 100 ms. This class kills its containerd, so it has a sandbox of its own.
 */
@ExtendWith(ContainerdExtension.class)
class ContainerdFaultsIT {

  private static final String NS = "faults";
  private final ContainerdSandbox containerd;

  ContainerdFaultsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @AfterEach
  void containerdRuns() {
    if (!containerd.daemonRunning()) {
      containerd.restartDaemon();
    }
  }

  @Test
  void threeKill9sUnderAScrapeEvery100msFailNoScrapeAndLeakNothing() throws Exception {
    containerd.importBusybox(NS, ContainerdSandbox.BUSYBOX_IMAGE);
    containerd.run(
        NS, "steady", ContainerdSandbox.BUSYBOX_IMAGE, RunOptions.DEFAULTS, "sleep", "100000");
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s")) {
      MetricsText settled =
          Await.until(
              Duration.ofSeconds(30),
              "containerd up, the event stream up and the task's stats",
              exporter::scrape,
              m ->
                  m.value("containerd_up").equals(Optional.of(1.0))
                      && m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
                      && !m.samples("container_cpu_usage_seconds_total").isEmpty());
      // The HTTP pool starts its threads as requests come, up to its size: warm it up first, so
      // that what is measured after the outages is what they left behind.
      for (int i = 0; i < 16; i++) { // the pool has 4 threads
        settled = exporter.scrape();
      }
      double threadsBefore = settled.value("jvm_threads_current").orElseThrow();
      double fdsBefore = settled.value("process_open_fds").orElseThrow();
      double reconnectsBefore =
          settled.value("containerd_exporter_event_stream_reconnects_total").orElse(0.0);

      List<String> failures = new CopyOnWriteArrayList<>();
      Map<String, Double> lastCounter = new ConcurrentHashMap<>();
      ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
      scraper.scheduleAtFixedRate(
          () -> scrapeOnce(exporter, failures, lastCounter), 0, 100, TimeUnit.MILLISECONDS);
      try {
        for (int round = 1; round <= 3; round++) {
          containerd.killDaemon();
          Await.until(
              Duration.ofSeconds(10),
              "containerd_up 0 after kill -9 #" + round,
              () -> exporter.scrape().value("containerd_up"),
              v -> v.equals(Optional.of(0.0)));
          containerd.restartDaemon();
          int r = round;
          Await.until(
              Duration.ofSeconds(30),
              "containerd_up 1 and the event stream resubscribed after restart #" + round,
              exporter::scrape,
              m ->
                  m.value("containerd_up").equals(Optional.of(1.0))
                      && m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
                      && m.value("containerd_exporter_event_stream_reconnects_total").orElse(0.0)
                          >= reconnectsBefore + r);
        }
      } finally {
        scraper.shutdown();
        assertTrue(scraper.awaitTermination(30, TimeUnit.SECONDS));
      }
      assertEquals(List.of(), failures, "failed scrapes or counters that went backwards");

      // The same task, still running through all of it, has fresh stats again.
      MetricsText after =
          Await.until(
                  Duration.ofSeconds(70),
                  "threads and fds back to their level (connections from the outages closed; idle"
                      + " pool threads end after 60 s): before "
                      + threadsBefore
                      + " threads, "
                      + fdsBefore
                      + " fds",
                  () -> new Levels(exporter.scrape()),
                  l -> l.threads() <= threadsBefore + 3 && l.fds() <= fdsBefore + 5)
              .scrape();
      assertTrue(
          after.value("container_cpu_usage_seconds_total", "name", "steady").isPresent(),
          "the surviving task's stats");
      assertTrue(exporter.isAlive());
    }
  }

  /** The exporter's thread and fd counts in one scrape, printed when the wait times out. */
  private record Levels(MetricsText scrape) {
    double threads() {
      return scrape.value("jvm_threads_current").orElseThrow();
    }

    double fds() {
      return scrape.value("process_open_fds").orElseThrow();
    }

    @Override
    public String toString() {
      return threads() + " threads, " + fds() + " fds";
    }
  }

  /**
   * A shim that hangs (SIGSTOP): containerd's calls to it block. containerd's Tasks.List gives up
   * on its State after its own 2 s and leaves the task out, so the exporter sees the task vanish:
   * counted in containerd_exporter_tasks_unlisted_total, and Tasks.List takes 2 s or more
   * (containerd_exporter_tasks_list_duration_seconds). Every scrape must still answer within 1 s
   * (it serves the latest poll), the other task stays fresh (its CPU counter moves, with either
   * source), the stuck task's series are gone, and it comes back after SIGCONT.
   *
   * <p>api source: the unlisted task is left out of the namespace-wide Tasks.Metrics (which would
   * wait on its shim), so no call times out in the exporter that saw it vanish. A second exporter
   * started during the hang never saw the task listed: its namespace-wide call times out, each task
   * is asked alone, the stuck one's own call times out
   * (containerd_exporter_task_stats_timeouts_total) and the other task's stats still come, from its
   * first rounds on.
   */
  @ParameterizedTest
  @ValueSource(strings = {"auto", "api"})
  void aStoppedShimSlowsNoScrapeAndOnlyItsTaskGoesStale(String source) throws Exception {
    String ns = NS + "-" + source;
    String stuck = "stuck-" + source;
    String fresh = "fresh-" + source;
    containerd.importBusybox(ns, ContainerdSandbox.BUSYBOX_IMAGE);
    containerd.run(
        ns, stuck, ContainerdSandbox.BUSYBOX_IMAGE, RunOptions.DEFAULTS, "sleep", "100000");
    // A little CPU, all the time, so "fresh" means a counter that moves.
    containerd.run(
        ns,
        fresh,
        ContainerdSandbox.BUSYBOX_IMAGE,
        RunOptions.DEFAULTS,
        "sh",
        "-c",
        "while true; do i=0; while [ $i -lt 300 ]; do i=$((i+1)); done; sleep 0.5; done");
    long shim = shimPid(ns, stuck);
    String[] flags = {
      // Above containerd's own 2 s deadline on a shim's State in Tasks.List (1.6), so the
      // inventory round finishes without the stuck task rather than overrunning.
      "--poll.interval=3s",
      "--poll.max-staleness=3s",
      "--containerd.timeout=2500ms",
      "--stats.source=" + source
    };
    List<ExporterProcess> timed = new CopyOnWriteArrayList<>();
    List<String> slow = new CopyOnWriteArrayList<>();
    ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
    ExporterProcess late = null;
    try (ExporterProcess exporter = ExporterProcess.start(containerd.socket(), flags)) {
      Await.until(
          Duration.ofSeconds(30),
          "both tasks' stats",
          exporter::scrape,
          m ->
              m.value("container_last_seen", "name", stuck).isPresent()
                  && m.value("container_last_seen", "name", fresh).isPresent());
      timed.add(exporter);
      scraper.scheduleAtFixedRate(() -> timeScrapes(timed, slow), 0, 200, TimeUnit.MILLISECONDS);

      signal("STOP", shim);
      try {
        MetricsText hung =
            Await.until(
                    Duration.ofSeconds(20),
                    "the stuck task's series gone, counted as unlisted, Tasks.List at 2 s or more",
                    () -> new Hang(exporter.scrape(), ns, stuck),
                    Hang::shows)
                .scrape();
        stillFresh(exporter, hung, fresh, stuck);
        // api: containerd 1.6 lists the stuck task with status UNKNOWN (its State timed out), so
        // it is no live task and is never asked of Tasks.Metrics; a shim hung between the listing
        // and the stats call (the timeout path, one call per task) is shown on the fake server by
        // ApiStatsReaderTest.
        if (!source.equals("api")) {
          assertEquals(
              0.0,
              exporter.scrape().samples("containerd_exporter_task_stats_timeouts_total").stream()
                  .mapToDouble(MetricsText.Sample::value)
                  .sum(),
              "the cgroup files need no call to the shim");
        }
      } finally {
        signal("CONT", shim);
      }
      for (ExporterProcess e : timed) {
        Await.until(
            Duration.ofSeconds(30),
            "the stuck task back after SIGCONT",
            e::scrape,
            m -> m.value("container_last_seen", "name", stuck).isPresent());
        assertTrue(e.isAlive());
      }
      scraper.shutdown(); // before the exporters close
      assertTrue(scraper.awaitTermination(30, TimeUnit.SECONDS));
    } finally {
      scraper.shutdown();
      assertTrue(scraper.awaitTermination(30, TimeUnit.SECONDS));
      if (late != null) {
        late.close();
      }
    }
    assertEquals(List.of(), slow, "scrapes slower than 1 s or failed while the shim hung");
  }

  /** What one scrape shows of the hang, printed when the wait times out. */
  private record Hang(MetricsText scrape, String ns, String stuck) {
    boolean shows() {
      return !stuckSeen() && unlisted() >= 1 && listSeconds() >= 2;
    }

    boolean stuckSeen() {
      return scrape.value("container_last_seen", "name", stuck).isPresent();
    }

    double unlisted() {
      return scrape
          .value("containerd_exporter_tasks_unlisted_total", "containerd_namespace", ns)
          .orElse(-1.0);
    }

    double listSeconds() {
      return scrape
          .value("containerd_exporter_tasks_list_duration_seconds", "containerd_namespace", ns)
          .orElse(-1.0);
    }

    @Override
    public String toString() {
      return "stuck seen "
          + stuckSeen()
          + ", unlisted "
          + unlisted()
          + ", Tasks.List "
          + listSeconds()
          + " s";
    }
  }

  /** The other task's CPU counter and last-seen time move on while the shim hangs. */
  private static void stillFresh(
      ExporterProcess exporter, MetricsText before, String fresh, String stuck) {
    double cpu =
        before
            .value("container_cpu_usage_seconds_total", "name", fresh)
            .orElseThrow(() -> new AssertionError("fresh task gone too:\n" + exporter.log()));
    double seen = before.value("container_last_seen", "name", fresh).orElseThrow();
    Await.until(
        Duration.ofSeconds(15),
        "the other task's CPU counter and last-seen moving while the shim hangs",
        exporter::scrape,
        m ->
            m.value("container_cpu_usage_seconds_total", "name", fresh).orElse(0.0) > cpu
                && m.value("container_last_seen", "name", fresh).orElse(0.0) > seen
                && m.value("container_last_seen", "name", stuck).isEmpty());
  }

  /** One timed scrape of each exporter: 200 within 1 s, or a line in {@code slow}. */
  private static void timeScrapes(List<ExporterProcess> exporters, List<String> slow) {
    for (ExporterProcess e : exporters) {
      long t0 = System.nanoTime();
      try {
        int status = e.get("/metrics").statusCode();
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (status != 200 || ms > 1000) {
          slow.add("status " + status + " in " + ms + " ms");
        }
      } catch (RuntimeException ex) {
        slow.add(ex.toString());
      }
    }
  }

  /**
   * The socket is there but the exporter may not connect (run as nobody, setpriv; as root a chmod
   * 000 would not stop it): one clear log line (not one per retry), containerd_up 0, and it keeps
   * serving.
   */
  @Test
  void aSocketItMayNotOpenIsContainerdUp0AndSaidPermissionDenied() throws Exception {
    List<String> nobody =
        List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--");
    // The sandbox's directory is 0700; /run/containerd is 0711 (anyone may reach the socket, which
    // is root:root 0660). Made so for the test, then put back.
    Path dir = containerd.socket().getParent();
    var mode = Files.getPosixFilePermissions(dir);
    var reachable = java.util.EnumSet.copyOf(mode);
    reachable.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
    Files.setPosixFilePermissions(dir, reachable);
    try (ExporterProcess exporter =
        ExporterProcess.startUnder(nobody, containerd.socket(), "--poll.interval=1s")) {
      Await.until(
          Duration.ofSeconds(20),
          "containerd_up 0 and the reason logged",
          exporter::scrape,
          m ->
              m.value("containerd_up").equals(Optional.of(0.0))
                  && exporter.log().contains("permission denied on " + containerd.socket()));
      Thread.sleep(2000); // a few more retries: still serving, the cause not logged again
      assertEquals(
          1,
          exporter
              .log()
              .lines()
              .filter(l -> l.contains("permission denied on " + containerd.socket()))
              .count(),
          exporter.log());
      assertEquals(200, exporter.get("/metrics").statusCode());
      assertEquals(200, exporter.get("/-/healthy").statusCode());
      assertTrue(exporter.isAlive());
    } finally {
      Files.setPosixFilePermissions(dir, mode);
    }
  }

  /**
   * The exporter without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (root, which the socket needs,
   * but held to the file modes like any user) and one task's memory cgroup directory made 000: that
   * task's series are gone, the denied counter rises, it is logged, the other task's series stay;
   * with the mode back, the task is back.
   */
  @Test
  void aTaskWhoseCgroupItMayNotReadIsLeftOutAndCountedTheOthersStay() throws Exception {
    containerd.importBusybox(NS, ContainerdSandbox.BUSYBOX_IMAGE);
    String readable = "cg-readable";
    String locked = "cg-locked";
    for (String id : List.of(readable, locked)) {
      containerd.run(
          NS, id, ContainerdSandbox.BUSYBOX_IMAGE, RunOptions.DEFAULTS, "sleep", "100000");
    }
    List<String> noDacOverride =
        List.of(
            "setpriv",
            "--inh-caps=-all",
            "--ambient-caps=-all",
            "--bounding-set=-dac_override,-dac_read_search",
            "--");
    Path memoryDir = Path.of("/sys/fs/cgroup/memory", NS, locked);
    assertTrue(Files.isDirectory(memoryDir), memoryDir + " (a cgroupfs-driver task on cgroup v1)");
    var mode = Files.getPosixFilePermissions(memoryDir);
    try (ExporterProcess exporter =
        ExporterProcess.startUnder(noDacOverride, containerd.socket(), "--poll.interval=1s")) {
      long capEff = effectiveCapabilities(exporter.pid());
      assertEquals(0, capEff & ((1L << 1) | (1L << 2)), "CAP_DAC_OVERRIDE/READ_SEARCH dropped");
      MetricsText before =
          Await.until(
              Duration.ofSeconds(30),
              "both tasks' memory series",
              exporter::scrape,
              m ->
                  m.value("container_memory_usage_bytes", "name", readable).isPresent()
                      && m.value("container_memory_usage_bytes", "name", locked).isPresent());
      double deniedBefore = denied(before);
      assertEquals(0.0, deniedBefore, "every cgroup file is world-readable");

      Files.setPosixFilePermissions(
          memoryDir, java.util.EnumSet.noneOf(java.nio.file.attribute.PosixFilePermission.class));
      MetricsText after =
          Await.until(
              Duration.ofSeconds(30),
              "the locked task left out and counted",
              exporter::scrape,
              m ->
                  m.value("container_cpu_usage_seconds_total", "name", locked).isEmpty()
                      && denied(m) >= deniedBefore + 2);
      for (String family :
          List.of(
              "container_memory_usage_bytes",
              "container_memory_working_set_bytes",
              "container_threads",
              "container_spec_memory_limit_bytes",
              "container_last_seen")) {
        assertTrue(after.value(family, "name", locked).isEmpty(), family + " of the locked task");
        assertTrue(after.value(family, "name", readable).isPresent(), family + " of the other");
      }
      assertEquals(
          Optional.of(0.0),
          after.value("containerd_exporter_cgroup_read_failures_total", "reason", "io"));
      assertEquals(
          1,
          exporter
              .log()
              .lines()
              .filter(l -> l.contains("cgroup /" + NS + "/" + locked + " not read (denied"))
              .count(),
          "logged once for the task:\n" + exporter.log());

      Files.setPosixFilePermissions(memoryDir, mode);
      Await.until(
          Duration.ofSeconds(30),
          "the task back once its cgroup is readable",
          exporter::scrape,
          m -> m.value("container_memory_usage_bytes", "name", locked).isPresent());
      assertTrue(exporter.isAlive());
    } finally {
      Files.setPosixFilePermissions(memoryDir, mode);
      for (String id : List.of(readable, locked)) {
        containerd.kill(NS, id, "SIGKILL");
      }
    }
  }

  private static double denied(MetricsText m) {
    return m.value("containerd_exporter_cgroup_read_failures_total", "reason", "denied")
        .orElseThrow();
  }

  /** CapEff of /proc/PID/status. */
  private static long effectiveCapabilities(long pid) throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
        .filter(l -> l.startsWith("CapEff:"))
        .map(l -> Long.parseUnsignedLong(l.substring("CapEff:".length()).trim(), 16))
        .findFirst()
        .orElseThrow();
  }

  private static double failures(MetricsText m) {
    return m.samples("containerd_exporter_collector_failures_total").stream()
        .mapToDouble(MetricsText.Sample::value)
        .sum();
  }

  /** The containerd-shim-runc-v2 serving a task: its command line has -namespace NS and -id ID. */
  private static long shimPid(String namespace, String id) throws IOException {
    List<Long> found = new ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        String name = p.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        List<String> args;
        try {
          args =
              Arrays.asList(
                  new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                      .split("\u0000"));
        } catch (IOException gone) {
          continue;
        }
        int i = args.indexOf("-id");
        int n = args.indexOf("-namespace");
        if (!args.isEmpty()
            && args.get(0).endsWith("containerd-shim-runc-v2")
            && i >= 0
            && i + 1 < args.size()
            && args.get(i + 1).equals(id)
            && n >= 0
            && n + 1 < args.size()
            && args.get(n + 1).equals(namespace)) {
          found.add(Long.parseLong(name));
        }
      }
    }
    assertEquals(1, found.size(), "one shim for " + namespace + "/" + id + ": " + found);
    return found.get(0);
  }

  private static void signal(String signal, long pid) throws Exception {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill -" + signal + " " + pid);
  }

  /**
   * The CPU time of containerd's process (and of its shims) is the kernel's counter of a process: a
   * new containerd starts from 0, a reset that rate() handles and
   * containerd_process_start_time_seconds shows. Every counter the exporter keeps itself must
   * survive the restart.
   */
  private static boolean resetsWithContainerd(MetricsText.Sample s) {
    return s.name().startsWith("containerd_process_")
        || s.name().equals("containerd_shims_cpu_seconds_total");
  }

  /** One scrape: it must answer 200, and no counter may be lower than in the previous one. */
  private static void scrapeOnce(
      ExporterProcess exporter, List<String> failures, Map<String, Double> lastCounter) {
    try {
      HttpResponse<String> r = exporter.get("/metrics");
      if (r.statusCode() != 200) {
        failures.add("status " + r.statusCode());
        return;
      }
      for (MetricsText.Sample s : MetricsText.parse(r.body()).samples()) {
        if (!s.name().endsWith("_total")
            || s.name().startsWith("jvm_")
            || resetsWithContainerd(s)) {
          continue;
        }
        String key = s.name() + s.labels();
        Double previous = lastCounter.put(key, s.value());
        if (previous != null && s.value() < previous) {
          failures.add(key + " went from " + previous + " to " + s.value());
        }
      }
    } catch (RuntimeException e) {
      failures.add(e.toString());
    }
  }
}
