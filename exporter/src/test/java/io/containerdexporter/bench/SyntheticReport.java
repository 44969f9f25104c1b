package io.containerdexporter.bench;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** docs/performance.md's synthetic section, from the runs of {@link SyntheticBench}. */
final class SyntheticReport {

  private SyntheticReport() {}

  static String row(SyntheticBench.Run r) {
    return String.format(
        "%s %d tasks: CPU/round %s ms, scrape p99 %.1f ms (curl %.1f), RSS %.0f MiB, scraped %s"
            + " MiB",
        r.layout(),
        r.tasks(),
        r.cpuPerRound().withSpread("%.0f"),
        p99(r.prometheus()),
        p99(r.curl()),
        r.rssMib(),
        r.scrapedRssMib().withSpread("%.0f"));
  }

  static String section(List<SyntheticBench.Run> runs, double loadBefore, double loadAfter) {
    StringBuilder s = new StringBuilder();
    s.append("Written by `scripts/bench synthetic` (bench/SyntheticBench). ")
        .append(PerformanceDoc.measuredOn(loadBefore, loadAfter))
        .append(" Exporter flags: image/jvm.options (")
        .append(String.join(" ", BenchExporter.imageJvmOptions()))
        .append("), default collectors, `--poll.interval=5s` up to 1000 tasks and the default")
        .append(" 15s above (see the interval column).\n\n");
    s.append("**Poll rounds** (no scrapes during the window; CPU = utime+stime of the exporter per")
        .append(" interval, median (min–max) of ")
        .append(runs.isEmpty() ? 0 : runs.get(0).cpuPerRound().count())
        .append(" intervals; allocation from JFR jdk.ThreadAllocationStatistics over 3 rounds,")
        .append(
            " started with jcmd after RSS was read; RSS unscraped after the warm-up rounds, and")
        .append(" scraped: a Prometheus 3 scrape per round, median (min–max) of the RSS after ")
        .append(runs.isEmpty() ? 0 : runs.get(0).scrapedRssMib().count())
        .append(" such rounds):\n\n");
    s.append("| layout | tasks | interval (s) | to /-/ready (s) | to first round (s) |")
        .append(" CPU per round (ms) | per task (ms) | round wall (s) | failing collectors |")
        .append(
            " allocated per round (MB) | RSS unscraped (MiB) | RSS scraped (MiB) | threads |\n");
    s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (SyntheticBench.Run r : runs) {
      s.append(
          String.format(
              "| %s | %d | %d | %.2f | %.2f | %s | %.2f | %.2f | %s | %.0f | %.0f | %s | %d |%n",
              r.layout().name().toLowerCase(),
              r.tasks(),
              r.intervalSeconds(),
              r.readySeconds(),
              r.firstPollSeconds(),
              r.cpuPerRound().withSpread("%.0f"),
              r.cpuPerRound().median() / r.tasks(),
              r.roundSeconds(),
              r.failingCollectors().isEmpty() ? "none" : String.join(", ", r.failingCollectors()),
              r.allocatedPerRoundBytes() / 1e6,
              r.rssMib(),
              r.scrapedRssMib().withSpread("%.0f"),
              r.threads()));
    }
    s.append(
            "\n**Scrapes** (one kept-alive connection, back to back, after a warm-up; Prometheus 3")
        .append(" = its default Accept header and `Accept-Encoding: gzip`, by the benchmark's")
        .append(
            " client (Java's HttpClient, which inflates and decodes each body) and by curl (one")
        .append(
            " invocation, the body thrown away unread: a client as fast as the socket); plain =")
        .append(
            " `Accept: text/plain`, no gzip. CPU per scrape: the exporter's http-N threads exactly")
        .append(" (schedstat), and the whole process minus its idle rate measured just before —")
        .append(" the latter includes GC but also the noise of the poll rounds in that time):\n\n");
    s.append("| layout | tasks | series | per app task / sandbox | plain text (MB) |")
        .append(" Prometheus 3 gzip (MB) | Prometheus 3 p50 / p99 (ms) | CPU per scrape, http /")
        .append(" process (ms) | Prometheus 3 by curl p50 / p99 (ms) | CPU per scrape, http /")
        .append(" process (ms) | plain p50 / p99 (ms) | CPU per scrape, http / process (ms) |")
        .append(" scrapes |\n");
    s.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (SyntheticBench.Run r : runs) {
      s.append(
          String.format(
              "| %s | %d | %d | %.0f / %.0f | %.2f | %.2f | %s | %s | %s | %s | %s | %s | %d + %d"
                  + " + %d |%n",
              r.layout().name().toLowerCase(),
              r.tasks(),
              r.series().series(),
              r.series().app().median(),
              r.series().sandbox().median(),
              r.plainBytes() / 1e6,
              r.gzipBytes() / 1e6,
              latency(r.prometheus()),
              cpu(r.prometheus()),
              latency(r.curl()),
              cpu(r.curl()),
              latency(r.plain()),
              cpu(r.plain()),
              r.prometheus().cost().latencyMillis().count(),
              r.curl().cost().latencyMillis().count(),
              r.plain().cost().latencyMillis().count()));
    }
    s.append("\n**Where a round's CPU goes** (ms per round by thread name, the five largest):\n\n");
    s.append("| layout | tasks | threads |\n|---|---|---|\n");
    for (SyntheticBench.Run r : runs) {
      s.append(
          String.format(
              "| %s | %d | %s |%n",
              r.layout().name().toLowerCase(), r.tasks(), topThreads(r.threadCpuPerRound())));
    }
    s.append("\n![CPU per poll round and scrape p99 against tasks](performance.png)\n");
    return s.toString();
  }

  static double p99(ScrapeCost c) {
    return c.cost().latencyMillis().percentile(99);
  }

  private static String latency(ScrapeCost c) {
    return String.format(
        "%.1f / %.1f", c.cost().latencyMillis().median(), c.cost().latencyMillis().percentile(99));
  }

  private static String cpu(ScrapeCost c) {
    return String.format(
        "%.2f / %.1f", c.cost().httpThreadCpuMillis(), c.cost().processCpuMillis());
  }

  private static String topThreads(Map<String, Double> perRound) {
    return perRound.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(5)
        .map(e -> String.format("%s %.0f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }
}
