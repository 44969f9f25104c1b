package io.containerdexporter.bench;

import io.containerdexporter.it.MetricsText;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Our scrape against containerd's own /v1/metrics on the same real daemon at the same moment:
 * testkit's private containerd (the host's 1.6, with a [metrics] address), N sleeping busybox
 * tasks, the real jar with image/jvm.options. The two endpoints are scraped alternately over one
 * kept-alive connection each, as Prometheus would with both in its config. Writes
 * docs/performance.md's {@code daemon} section. Root; run by scripts/bench under the containerd
 * lock; never by scripts/test.
 *
 * <p>Arguments: task counts (default 50 200). {@code bench.pairs}: scrapes of each endpoint (100,
 * at most 30 s of scraping).
 */
public final class DaemonBench {

  private static final String NAMESPACE = "bench";

  /**
   * A round a minute: no poll round falls in a measuring window, so neither process's CPU during it
   * is anything but scraping and idling. A scrape's own cost does not depend on the interval.
   */
  private static final String INTERVAL = "60s";

  private DaemonBench() {}

  /** One size: each side's scrape cost, and what our scrape shows per task. */
  record Comparison(
      int tasks,
      ScrapeMeter.Cost ours,
      ScrapeMeter.Cost theirs,
      SeriesPerTask ourSeries,
      int theirSeries,
      double ourRssMib) {}

  public static void main(String[] args) throws Exception {
    List<Integer> sizes = new ArrayList<>();
    for (String a : args) {
      sizes.add(Integer.parseInt(a));
    }
    if (sizes.isEmpty()) {
      sizes = List.of(50, 200);
    }
    int port = BenchExporter.freePort(Integer.getInteger("bench.port", 9356));
    double loadBefore = PerformanceDoc.loadAverage();
    List<Comparison> results = new ArrayList<>();
    String version;
    try (ContainerdSandbox sandbox = ContainerdSandbox.start()) {
      version = sandbox.serverVersion();
      sandbox.importBusybox(NAMESPACE, ContainerdSandbox.BUSYBOX_IMAGE);
      int running = 0;
      for (int n : sizes.stream().sorted().toList()) {
        System.err.printf("==> real containerd %s: starting tasks up to %d%n", version, n);
        for (; running < n; running++) {
          sandbox.run(
              NAMESPACE,
              "t" + running,
              ContainerdSandbox.BUSYBOX_IMAGE,
              RunOptions.DEFAULTS,
              "sleep",
              "2147483647");
        }
        Comparison c = compare(sandbox, n, port);
        results.add(c);
        System.err.printf(
            "    ours p50 %.1f ms, theirs %.1f ms; CPU ours %.1f ms, theirs %.1f ms%n",
            c.ours().latencyMillis().median(),
            c.theirs().latencyMillis().median(),
            c.ours().processCpuMillis(),
            c.theirs().processCpuMillis());
      }
    }
    Path doc = Path.of(System.getProperty("bench.doc", PerformanceDoc.DEFAULT.toString()));
    PerformanceDoc.replaceSection(
        doc,
        "daemon",
        DaemonReport.section(results, version, loadBefore, PerformanceDoc.loadAverage()));
    System.err.println("==> wrote " + doc);
  }

  static Comparison compare(ContainerdSandbox sandbox, int tasks, int port) throws Exception {
    try (BenchExporter exporter =
        BenchExporter.start(
            port,
            List.of(
                "--containerd.address=" + sandbox.socket(),
                "--poll.interval=" + INTERVAL,
                "--log.level=warn"))) {
      exporter.awaitReady(60);
      exporter.awaitNextRound(120);
      ProcessProbe ourProcess = exporter.probe();
      ProcessProbe containerd = new ProcessProbe(sandbox.daemonPid());
      Scraper theirScraper = new Scraper("http://" + sandbox.metricsAddress() + "/v1/metrics");
      Scraper.Ask ask = Scraper.Ask.PROMETHEUS;
      for (int i = 0; i < 3; i++) {
        exporter.scraper().scrape(ask);
        theirScraper.scrape(ask);
      }
      // Our next round encodes the kind just asked for; measure right after it, in the quiet
      // minute before the next.
      exporter.awaitNextRound(120);
      double[] idle = ScrapeMeter.idleRates(5, ourProcess, containerd);
      ScrapeMeter ours = new ScrapeMeter(exporter.scraper(), ourProcess, ScrapeCost.HTTP_THREADS);
      ScrapeMeter theirs = new ScrapeMeter(theirScraper, containerd, null);
      int pairs = Integer.getInteger("bench.pairs", 100);
      long deadline = System.nanoTime() + 30_000_000_000L;
      ours.begin();
      theirs.begin();
      while (ours.count() < pairs && (ours.count() < 20 || System.nanoTime() < deadline)) {
        ours.scrape(ask);
        theirs.scrape(ask);
      }
      // Each side's window holds the other's scrapes too; each is charged its own CPU only.
      ScrapeMeter.Cost ourCost = ours.end(idle[0]);
      ScrapeMeter.Cost theirCost = theirs.end(idle[1]);
      MetricsText ourText = MetricsText.parse(ourCost.lastText());
      int theirSeries = MetricsText.parse(theirCost.lastText()).samples().size();
      return new Comparison(
          tasks, ourCost, theirCost, SeriesPerTask.of(ourText), theirSeries, ourProcess.rssMib());
    }
  }
}
