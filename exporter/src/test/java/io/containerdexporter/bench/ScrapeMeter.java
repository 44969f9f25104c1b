package io.containerdexporter.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * Times a run of scrapes of one process and charges it the CPU they cost: the process's CPU over
 * the run minus what it burns idle in the same wall time (measured just before, so its poll rounds
 * and GC are not counted as scraping), and, where the process names its HTTP threads, their own CPU
 * exactly.
 */
final class ScrapeMeter {

  private final Scraper scraper;
  private final ProcessProbe probe;
  private final String httpThreadPrefix;
  private final List<Double> millis = new ArrayList<>();
  private int wireBytes;
  private String lastText = "";
  private double cpuAtBegin;
  private double httpCpuAtBegin;
  private long beginNanos;

  /** {@code httpThreadPrefix}: the name of the threads that serve scrapes, or null if unknown. */
  ScrapeMeter(Scraper scraper, ProcessProbe probe, String httpThreadPrefix) {
    this.scraper = scraper;
    this.probe = probe;
    this.httpThreadPrefix = httpThreadPrefix;
  }

  /** What one run of scrapes cost; the CPU figures are per scrape, in milliseconds. */
  record Cost(
      Distribution latencyMillis,
      int wireBytes,
      double processCpuMillis,
      double httpThreadCpuMillis,
      String lastText) {}

  /** A process's CPU in ms per wall second while nothing scrapes it. */
  static double[] idleRates(double seconds, ProcessProbe... probes) throws InterruptedException {
    double[] before = new double[probes.length];
    for (int i = 0; i < probes.length; i++) {
      before[i] = probes[i].cpuMillis();
    }
    long start = System.nanoTime();
    Thread.sleep((long) (seconds * 1000));
    double wall = (System.nanoTime() - start) / 1e9;
    double[] rates = new double[probes.length];
    for (int i = 0; i < probes.length; i++) {
      rates[i] = (probes[i].cpuMillis() - before[i]) / wall;
    }
    return rates;
  }

  void begin() {
    cpuAtBegin = probe.cpuMillis();
    httpCpuAtBegin = httpThreadPrefix == null ? 0 : probe.threadCpuMillis(httpThreadPrefix);
    beginNanos = System.nanoTime();
  }

  void scrape(Scraper.Ask ask) {
    add(scraper.scrape(ask));
  }

  /** {@code n} scrapes by curl ({@link Scraper#curl}), which carry no text. */
  void curl(Scraper.Ask ask, int n) {
    scraper.curl(ask, n).forEach(this::add);
  }

  private void add(Scraper.Scrape s) {
    millis.add(s.millis());
    wireBytes = s.wireBytes();
    lastText = s.text();
  }

  int count() {
    return millis.size();
  }

  Cost end(double idleCpuMillisPerSecond) {
    double wall = (System.nanoTime() - beginNanos) / 1e9;
    double process = probe.cpuMillis() - cpuAtBegin - idleCpuMillisPerSecond * wall;
    double http =
        httpThreadPrefix == null
            ? Double.NaN
            : probe.threadCpuMillis(httpThreadPrefix) - httpCpuAtBegin;
    int n = Math.max(1, millis.size());
    return new Cost(Distribution.of(millis), wireBytes, process / n, http / n, lastText);
  }
}
