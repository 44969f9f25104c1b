package io.containerdexporter.web;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/** What the HTTP side turned away, and whether the web config file in force is the latest. */
public final class WebMetrics implements MetricSource {

  /** Why a request was answered without being served. */
  public enum Rejection {
    /** More than --web.max-requests scrapes at once: 503. */
    MAX_REQUESTS,
    /** rate_limit had no token: 429. */
    RATE_LIMIT,
    /** basic auth missing or wrong: 401. */
    UNAUTHORIZED;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  static final FamilySpec REJECTED =
      FamilySpec.counter(
          "containerd_exporter_http_requests_rejected_total",
          "HTTP requests answered without being served, by reason: max_requests (503), rate_limit"
              + " (429), unauthorized (401).",
          "reason");
  static final FamilySpec RELOAD_OK =
      FamilySpec.gauge(
          "containerd_exporter_web_config_last_reload_successful",
          "1 if the last read of --web.config.file was used (or no file is set), 0 if it was refused"
              + " and the previous config stays in force.");
  static final FamilySpec RELOAD_TIME =
      FamilySpec.gauge(
          "containerd_exporter_web_config_last_reload_success_timestamp_seconds",
          Unit.SECONDS,
          "Unix time the web config in force was read.");

  private final Map<Rejection, LongAdder> rejected = new EnumMap<>(Rejection.class);
  private final Supplier<WebConfigWatcher> watcher;

  /** The watcher is looked up at render time: the server and its metrics are built apart. */
  public WebMetrics(Supplier<WebConfigWatcher> watcher) {
    this.watcher = watcher;
    for (Rejection r : Rejection.values()) {
      rejected.put(r, new LongAdder());
    }
  }

  void count(Rejection reason) {
    rejected.get(reason).increment();
  }

  long rejected(Rejection reason) {
    return rejected.get(reason).sum();
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(REJECTED, RELOAD_OK, RELOAD_TIME);
  }

  @Override
  public List<Family> render() {
    var counts = REJECTED.builder();
    for (Rejection r : Rejection.values()) {
      counts.add(rejected.get(r).sum(), r.label());
    }
    WebConfigWatcher w = watcher.get();
    if (w == null) {
      return List.of(counts.build());
    }
    return List.of(
        counts.build(),
        RELOAD_OK.builder().add(w.lastReloadOk() ? 1 : 0).build(),
        RELOAD_TIME.builder().add(w.lastSuccessSeconds()).build());
  }
}
