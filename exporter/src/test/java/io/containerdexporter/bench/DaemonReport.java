package io.containerdexporter.bench;

import java.util.List;

/** docs/performance.md's daemon section, from the comparisons of {@link DaemonBench}. */
final class DaemonReport {

  private DaemonReport() {}

  static String section(
      List<DaemonBench.Comparison> results, String version, double loadBefore, double loadAfter) {
    StringBuilder s = new StringBuilder();
    s.append("Written by `scripts/bench daemon` (bench/DaemonBench). ")
        .append(PerformanceDoc.measuredOn(loadBefore, loadAfter))
        .append(" containerd ")
        .append(version)
        .append(" (testkit's private daemon), N sleeping busybox tasks started by `ctr run -d`;")
        .append(" the exporter with image/jvm.options and `--poll.interval=60s` (no round inside")
        .append(" the window). Both endpoints scraped alternately with Prometheus 3's Accept")
        .append(" header and gzip, one kept-alive connection each; CPU per scrape = the process's")
        .append(" utime+stime over the window minus its idle rate over 5 s just before, per")
        .append(" scrape (ours also: its http-N threads alone). Ratio = ours / theirs; target")
        .append(" ≤ 0.10.\n\n");
    s.append("| tasks | ours p50 / p99 (ms) | containerd p50 / p99 (ms) | latency ratio (p50) |")
        .append(" our CPU per scrape, process / http (ms) | containerd CPU per scrape (ms) |")
        .append(" CPU ratio | bytes on the wire, ours / theirs (KB) | series, ours / theirs |")
        .append(" our series per task | our RSS (MiB) | scrapes each |\n");
    s.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (DaemonBench.Comparison c : results) {
      Distribution ours = c.ours().latencyMillis();
      Distribution theirs = c.theirs().latencyMillis();
      s.append(
          String.format(
              "| %d | %.1f / %.1f | %.1f / %.1f | %.3f %s | %.1f / %.2f | %.1f | %.3f %s |"
                  + " %.0f / %.0f | %d / %d | %.0f | %.0f | %d |%n",
              c.tasks(),
              ours.median(),
              ours.percentile(99),
              theirs.median(),
              theirs.percentile(99),
              ours.median() / theirs.median(),
              verdict(ours.median() / theirs.median()),
              c.ours().processCpuMillis(),
              c.ours().httpThreadCpuMillis(),
              c.theirs().processCpuMillis(),
              c.ours().processCpuMillis() / c.theirs().processCpuMillis(),
              verdict(c.ours().processCpuMillis() / c.theirs().processCpuMillis()),
              c.ours().wireBytes() / 1e3,
              c.theirs().wireBytes() / 1e3,
              c.ourSeries().series(),
              c.theirSeries(),
              c.ourSeries().sandbox().median(),
              c.ourRssMib(),
              ours.count()));
    }
    return s.toString();
  }

  private static String verdict(double ratio) {
    return ratio <= 0.10 ? "(holds)" : "(misses)";
  }
}
