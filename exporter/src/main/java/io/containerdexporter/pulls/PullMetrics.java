package io.containerdexporter.pulls;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The image-pull families, rendered from {@link PullStats} at scrape time (a copy of a few
 * counters): what containerd's log and event stream said about CRI pulls, per registry and
 * repository.
 */
public final class PullMetrics implements MetricSource {

  static final FamilySpec FAILURES =
      FamilySpec.counter(
          "containerd_image_pull_failures_total",
          "Image pulls that failed, by registry, repository (tag and digest dropped; docker.io/library/ "
              + "normalised) and reason: not_found, unauthorized, forbidden, connection_refused, dns, timeout, tls, "
              + "too_many_requests, server_error, canceled, other. From containerd's log (CRI's PullImage \"REF\" "
              + "failed); ctr and nerdctl pulls fail in the client and leave no trace on the node.",
          "containerd_namespace",
          "registry",
          "repository",
          "reason");
  static final FamilySpec SUCCESSES =
      FamilySpec.counter(
          "containerd_image_pulls_total",
          "Image pulls that succeeded, by registry and repository: CRI's PullImage \"REF\" returns image "
              + "reference in containerd's log, and the /images/create event of a CRI-managed image's name; one pull "
              + "seen by both counts once.",
          "containerd_namespace",
          "registry",
          "repository");
  static final FamilySpec DURATION =
      new FamilySpec(
          "containerd_image_pull_duration_seconds",
          MetricType.HISTOGRAM,
          "Time from CRI's PullImage \"REF\" to its outcome in containerd's log (pulls whose start the exporter "
              + "read), by result (success, failure).",
          Unit.SECONDS,
          List.of("containerd_namespace", "result"));
  static final FamilySpec IN_PROGRESS =
      FamilySpec.gauge(
          "containerd_image_pulls_in_progress",
          "CRI image pulls in flight: containerd's own count where its metrics endpoint has one "
              + "(--containerd.metrics-url, 1.7+), else the pulls started and not yet ended in its log since the "
              + "exporter started reading it.",
          "containerd_namespace");
  static final FamilySpec FOLDED =
      FamilySpec.counter(
          "containerd_exporter_pull_repositories_folded_total",
          "Pulls counted under repository=\"other\" because --pulls.max-repositories distinct repositories "
              + "were already seen.");
  static final FamilySpec LOG_LINES =
      FamilySpec.counter(
          "containerd_exporter_log_lines_total",
          "Lines read from containerd's log (--pulls.log-file, --pulls.journal-unit), by result: parsed (a pull "
              + "record), ignored (another message), malformed (not logfmt or JSON, binary, cut at 64 KiB, or split by "
              + "a rotation); malformed lines are skipped.",
          "result");

  static final List<FamilySpec> FAMILIES =
      List.of(FAILURES, SUCCESSES, DURATION, IN_PROGRESS, FOLDED, LOG_LINES);

  private final PullStats stats;

  public PullMetrics(PullStats stats) {
    this.stats = stats;
  }

  @Override
  public List<FamilySpec> families() {
    return FAMILIES;
  }

  @Override
  public List<Family> render() {
    PullStats.View v = stats.view();
    FamilyBuilder failures = FAILURES.builder();
    v.failures()
        .forEach(
            (k, n) ->
                failures.add(
                    n,
                    k.pull().containerdNamespace(),
                    k.pull().registry(),
                    k.pull().repository(),
                    k.reason().label()));
    FamilyBuilder successes = SUCCESSES.builder();
    v.successes()
        .forEach((k, n) -> successes.add(n, k.containerdNamespace(), k.registry(), k.repository()));
    FamilyBuilder inProgress = IN_PROGRESS.builder();
    v.inProgress().forEach((ns, n) -> inProgress.add(n, ns));
    List<Family> out = new ArrayList<>(List.of(failures.build(), successes.build()));
    out.add(Family.of(durations(v.successDurations(), v.failureDurations())));
    out.add(inProgress.build());
    // Without a log source only the event path counts (successes): no series until it folds one.
    if (v.logSourceActive() || v.folded() > 0) {
      out.add(FOLDED.builder().add(v.folded()).build());
    }
    if (v.logSourceActive()) {
      FamilyBuilder lines = LOG_LINES.builder();
      v.logLines().forEach((result, n) -> lines.add(n, result.label()));
      out.add(lines.build());
    }
    return out;
  }

  private static MetricSnapshot durations(
      Map<String, PullStats.Histogram> successes, Map<String, PullStats.Histogram> failures) {
    HistogramSnapshot.Builder b =
        HistogramSnapshot.builder()
            .name(DURATION.snapshotName())
            .help(DURATION.help())
            .unit(DURATION.unit());
    successes.forEach((ns, h) -> b.dataPoint(point(ns, "success", h)));
    failures.forEach((ns, h) -> b.dataPoint(point(ns, "failure", h)));
    return b.build();
  }

  private static HistogramDataPointSnapshot point(
      String namespace, String result, PullStats.Histogram h) {
    double[] bounds = new double[PullStats.DURATION_BOUNDS.length + 1];
    System.arraycopy(PullStats.DURATION_BOUNDS, 0, bounds, 0, PullStats.DURATION_BOUNDS.length);
    bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
    return HistogramDataPointSnapshot.builder()
        .labels(Labels.of("containerd_namespace", namespace, "result", result))
        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, h.counts()))
        .sum(h.sum())
        .build();
  }
}
