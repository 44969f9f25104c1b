package io.containerdexporter.bench;

import io.containerdexporter.it.MetricsText;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark: for each size and cgroup layout, a {@link SyntheticNode} and the real
 * jar against it (image/jvm.options, default collectors, a poll every {@link #intervalSeconds}),
 * measured from outside through /proc and HTTP only. Writes docs/performance.md's {@code synthetic}
 * section and docs/performance.png. Run by scripts/bench; never by scripts/test.
 *
 * <p>Arguments: task counts (default 100 1000 5000) and layouts ({@code v1}, {@code v2}; default
 * both). System properties: {@code bench.rounds} (CPU window, 5 rounds), {@code bench.scrapes} (per
 * kind, 200, at most {@code bench.scrape-seconds} = 20 s of scraping), {@code bench.port} (9355).
 */
public final class SyntheticBench {

  /**
   * 5 s up to 1000 tasks (more rounds per minute of benchmark); the default 15 s above, because
   * --poll.timeout is the interval when shorter and at 5000 tasks on 2 shared cores the task-stats
   * collector overran 5 s, so its families were dropped and the figures were of a smaller scrape.
   */
  static int intervalSeconds(int tasks) {
    return tasks <= 1000 ? 5 : 15;
  }

  private SyntheticBench() {}

  /** What one exporter against one node measured. */
  record Run(
      SyntheticNode.Layout layout,
      int tasks,
      double readySeconds,
      double firstPollSeconds,
      SeriesPerTask series,
      int plainBytes,
      int gzipBytes,
      Distribution cpuPerRound,
      double roundSeconds,
      double allocatedPerRoundBytes,
      ScrapeCost prometheus,
      ScrapeCost curl,
      ScrapeCost plain,
      double rssMib,
      Distribution scrapedRssMib,
      int threads,
      Map<String, Double> threadCpuPerRound,
      int intervalSeconds,
      List<String> failingCollectors) {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    List<SyntheticNode.Layout> layouts = new ArrayList<>();
    for (String a : args) {
      if (a.matches("[0-9]+")) {
        sizes.add(Integer.parseInt(a));
      } else if (a.equals("v1") || a.equals("v2")) {
        layouts.add(SyntheticNode.Layout.valueOf(a.toUpperCase()));
      } else {
        System.err.println("unknown argument '" + a + "': use task counts and v1 or v2");
        System.exit(2);
      }
    }
    if (sizes.isEmpty()) {
      sizes = List.of(100, 1000, 5000);
    }
    if (layouts.isEmpty()) {
      layouts = List.of(SyntheticNode.Layout.values());
    }
    int port = BenchExporter.freePort(Integer.getInteger("bench.port", 9355));
    double loadBefore = PerformanceDoc.loadAverage();
    List<Run> runs = new ArrayList<>();
    for (int n : sizes) {
      for (SyntheticNode.Layout layout : layouts) {
        System.err.printf("==> synthetic node: %d tasks, %s%n", n, layout);
        Run run = measure(layout, n, port);
        runs.add(run);
        System.err.println("    " + SyntheticReport.row(run));
      }
    }
    Path doc = Path.of(System.getProperty("bench.doc", PerformanceDoc.DEFAULT.toString()));
    PerformanceDoc.replaceSection(
        doc, "synthetic", SyntheticReport.section(runs, loadBefore, PerformanceDoc.loadAverage()));
    PerformancePlot.write(runs, doc.resolveSibling("performance.png"));
    System.err.println("==> wrote " + doc + " and " + doc.resolveSibling("performance.png"));
  }

  static Run measure(SyntheticNode.Layout layout, int tasks, int port) throws Exception {
    Path dir = Files.createTempDirectory("bench-node-");
    SyntheticNode node = SyntheticNode.start(tasks, layout, dir);
    ScheduledExecutorService time = Executors.newSingleThreadScheduledExecutor();
    int interval = intervalSeconds(tasks);
    try {
      // The counters move as time does on a real node, so no cache of unchanged output helps.
      time.scheduleAtFixedRate(node::advance, interval, interval, TimeUnit.SECONDS);
      List<String> args = new ArrayList<>(node.exporterArgs());
      args.add("--poll.interval=" + interval + "s");
      args.add("--log.level=warn");
      try (BenchExporter exporter = BenchExporter.start(port, args)) {
        return measure(layout, tasks, interval, exporter, dir);
      }
    } finally {
      // No advance may be writing while the node removes its files.
      time.shutdownNow();
      time.awaitTermination(60, TimeUnit.SECONDS);
      node.close();
    }
  }

  private static Run measure(
      SyntheticNode.Layout layout, int tasks, int interval, BenchExporter exporter, Path dir)
      throws Exception {
    ProcessProbe probe = exporter.probe();
    double ready = exporter.awaitReady(120);
    exporter.awaitNextRound(300);
    double firstPoll = exporter.secondsSinceLaunch();
    // Settle: two more rounds, so the JIT and the caches are warm and the heap has grown.
    exporter.awaitNextRound(120);
    exporter.awaitNextRound(120);
    double rss = probe.rssMib();
    int threads = probe.threads();

    // Poll cost: no scrapes at all; each interval holds exactly one round's start (fixed rate).
    int rounds = Integer.getInteger("bench.rounds", 5);
    List<Double> perRound = new ArrayList<>();
    Map<String, Double> threadsBefore = probe.cpuMillisByThreadName();
    double cpu = probe.cpuMillis();
    for (int i = 0; i < rounds; i++) {
      Thread.sleep(interval * 1000L);
      double now = probe.cpuMillis();
      perRound.add(now - cpu);
      cpu = now;
    }
    Map<String, Double> threadCpu =
        perRoundDelta(threadsBefore, probe.cpuMillisByThreadName(), rounds);
    double roundSeconds = exporter.lastRoundSeconds();
    List<String> failing = exporter.failingCollectors();

    // RSS as a node has it: scraped by Prometheus once per round, so the exporter holds what it
    // encoded ahead for it. Before the plain scrapes below, which keep plain bytes for a while.
    List<Double> scrapedRss = new ArrayList<>();
    for (int i = 0; i < Integer.getInteger("bench.scraped-rounds", 6); i++) {
      exporter.scraper().scrape(Scraper.Ask.PROMETHEUS);
      Thread.sleep(interval * 1000L);
      scrapedRss.add(probe.rssMib());
    }

    ScrapeCost prometheus = ScrapeCost.measure(exporter, Scraper.Ask.PROMETHEUS, interval);
    ScrapeCost curl = ScrapeCost.measureByCurl(exporter, Scraper.Ask.PROMETHEUS, interval);
    ScrapeCost plain = ScrapeCost.measure(exporter, Scraper.Ask.PLAIN, interval);
    MetricsText text = MetricsText.parse(plain.lastText());

    Path jfr = dir.resolve("alloc.jfr");
    exporter.startAllocationRecording(AllocationRecording.writeSettings(dir));
    Thread.sleep(3L * interval * 1000 + 1500);
    exporter.dumpAllocationRecording(jfr);
    AllocationRecording.Allocated allocated = AllocationRecording.read(jfr);
    double perRoundBytes = allocated.bytes() / (allocated.seconds() / interval);

    return new Run(
        layout,
        tasks,
        ready,
        firstPoll,
        SeriesPerTask.of(text),
        plain.wireBytes(),
        prometheus.wireBytes(),
        Distribution.of(perRound),
        roundSeconds,
        perRoundBytes,
        prometheus,
        curl,
        plain,
        rss,
        Distribution.of(scrapedRss),
        threads,
        threadCpu,
        interval,
        failing);
  }

  private static Map<String, Double> perRoundDelta(
      Map<String, Double> before, Map<String, Double> after, int rounds) {
    Map<String, Double> delta = new java.util.TreeMap<>();
    after.forEach((name, ms) -> delta.put(name, (ms - before.getOrDefault(name, 0.0)) / rounds));
    return delta;
  }
}
