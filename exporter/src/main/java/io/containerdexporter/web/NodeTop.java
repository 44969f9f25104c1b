package io.containerdexporter.web;

import io.containerdexporter.collect.CollectorState;
import io.containerdexporter.collect.PollResult;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.config.PrometheusDuration;
import io.containerdexporter.config.ServedPaths;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.SeriesFamily;
import io.containerdexporter.model.ContainerdStatus;
import io.containerdexporter.model.RecentEvent;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Builds {@link TopData} from each published {@link PollResult} (on the poller's thread, after the
 * round publishes) and hands the latest one to the page and the API: a request only reads a
 * reference. CPU rates come from the counters of the last two rounds.
 */
public final class NodeTop {

  static final int TOP = 10;

  private final Supplier<ContainerdStatus> status;
  private final BooleanSupplier eventStreamUp;
  private final Recent recent;
  private final Map<String, String> flags;
  private final Map<String, String> links;
  private final String address;
  private final Clock clock;
  private final AtomicReference<TopData> latest;

  /** CPU seconds per container id (and "containerd"), and when they were read, last round. */
  private Map<String, Sample> previousCpu = Map.of();

  private record Sample(double value, Instant at) {}

  /** Where the recent OOM kills, non-zero exits and failed pulls come from, newest first. */
  public record Recent(
      Supplier<List<RecentEvent>> ooms,
      Supplier<List<RecentEvent>> exits,
      Supplier<List<RecentEvent>> failedPulls) {
    public static final Recent NONE = new Recent(List::of, List::of, List::of);
  }

  public NodeTop(
      Supplier<ContainerdStatus> status,
      BooleanSupplier eventStreamUp,
      Recent recent,
      ExporterConfig config,
      Clock clock) {
    this.status = status;
    this.eventStreamUp = eventStreamUp;
    this.recent = recent;
    this.address = config.containerdAddress().toString();
    this.flags = flags(config);
    this.links =
        Map.of(
            "metrics",
            config.telemetryPath(),
            "top",
            ServedPaths.TOP,
            "scrapeConfig",
            ServedPaths.SCRAPE_CONFIG,
            "docs",
            LandingPage.DOCS + "/blob/main/docs/metrics.md");
    this.clock = clock;
    this.latest =
        new AtomicReference<>(
            build(new PollResult(Map.of(), Duration.ZERO, List.of()), Map.of(), clock.instant()));
  }

  /**
   * The latest round's data, with containerd's up and version, the event stream and the recent
   * lists as they are now (copies of published state: no I/O).
   */
  public TopData current() {
    TopData t = latest.get();
    ContainerdStatus now =
        Optional.ofNullable(status.get()).orElse(ContainerdStatus.initial(Instant.EPOCH));
    TopData.Containerd live =
        t.containerd()
            .live(
                now.up(),
                now.version().map(v -> v.version()).orElse(null),
                now.version().map(v -> v.revision()).orElse(null));
    return new TopData(
        t.generatedAt(),
        live,
        t.namespaces(),
        t.topCpu(),
        t.topMemory(),
        t.collectors(),
        new TopData.EventStream(eventStreamUp.getAsBoolean()),
        recent.ooms().get(),
        recent.exits().get(),
        recent.failedPulls().get(),
        t.flags(),
        t.links());
  }

  /** Called after each round publishes; single-threaded (the poller's thread). */
  public synchronized void update(PollResult result) {
    Instant now = clock.instant();
    Map<String, Sample> cpu = new HashMap<>();
    TopData data = build(result, cpu, now);
    previousCpu = cpu;
    latest.set(data);
  }

  private TopData build(PollResult result, Map<String, Sample> cpuOut, Instant now) {
    Map<String, Family> families = new HashMap<>();
    Map<String, Instant> readAt = new HashMap<>();
    List<TopData.CollectorHealth> health = new ArrayList<>();
    for (CollectorState s : result.collectors().values()) {
      health.add(
          new TopData.CollectorHealth(
              s.name(),
              s.success(),
              seconds(s.duration()),
              s.lastSuccess().map(t -> seconds(Duration.between(t, now))).orElse(null),
              s.failures()));
      for (Family m : s.families()) {
        readAt.put(m.name(), s.lastSuccess().orElse(now));
      }
    }
    for (Family m : result.rendered()) {
      families.put(m.name(), m);
    }
    health.sort(Comparator.comparing(TopData.CollectorHealth::name));

    // containerd's own process
    Double start = single(families.get("containerd_process_start_time_seconds"));
    Double cpuTotal = single(families.get("containerd_process_cpu_seconds"));
    Double cpuCores = null;
    if (cpuTotal != null) {
      Instant at = readAt.getOrDefault("containerd_process_cpu_seconds", now);
      cpuCores = rate("containerd", cpuTotal, at, cpuOut);
    }
    Double visible = single(families.get("containerd_process_visible"));
    // up and version are the monitor's, read at each request (current())
    TopData.Containerd containerd =
        new TopData.Containerd(
            false,
            address,
            null,
            null,
            start == null ? null : Math.max(0, now.toEpochMilli() / 1000.0 - start),
            cpuTotal,
            cpuCores,
            single(families.get("containerd_process_resident_memory_bytes")),
            visible == null ? null : visible == 1.0,
            whole(single(families.get("containerd_process_open_fds"))),
            whole(single(families.get("containerd_process_threads"))),
            sum(families.get("containerd_shims_resident_memory_bytes")));

    // per containerd namespace
    Map<String, Map<String, Long>> tasks = new TreeMap<>();
    for (Point p : points(families.get("containerd_tasks"))) {
      tasks
          .computeIfAbsent(p.label("containerd_namespace"), k -> new TreeMap<>())
          .put(p.label("status"), Math.round(p.value()));
    }
    Map<String, Long> containers = perNamespace(families.get("containerd_containers"));
    Map<String, Long> images = perNamespace(families.get("containerd_images"));
    Map<String, Long> imageBytes = perNamespace(families.get("containerd_images_size_bytes"));
    Map<String, Long> ingests = perNamespace(families.get("containerd_content_ingests"));
    Map<String, Long> stalled = perNamespace(families.get("containerd_content_ingests_stalled"));
    Map<String, Long> shims = perNamespace(families.get("containerd_shims"));
    Map<String, Long> leaked = perNamespace(families.get("containerd_shims_leaked"));
    TreeMap<String, Boolean> names = new TreeMap<>();
    for (Map<String, ?> m :
        List.of(tasks, containers, images, imageBytes, ingests, stalled, shims, leaked)) {
      m.keySet().forEach(k -> names.put(k, true));
    }
    List<TopData.Namespace> namespaces = new ArrayList<>();
    for (String ns : names.keySet()) {
      namespaces.add(
          new TopData.Namespace(
              ns,
              tasks.getOrDefault(ns, Map.of()),
              containers.get(ns),
              images.get(ns),
              imageBytes.get(ns),
              ingests.get(ns),
              stalled.get(ns),
              shims.get(ns),
              leaked.get(ns)));
    }

    // containers: CPU rate and working set, keyed by id
    Map<String, Row> rows = new LinkedHashMap<>();
    Instant cpuAt = readAt.getOrDefault("container_cpu_usage_seconds", now);
    for (Point p : points(families.get("container_cpu_usage_seconds"))) {
      if (!isContainer(p) || (!p.label("cpu").isEmpty() && !"total".equals(p.label("cpu")))) {
        continue;
      }
      Row r = rows.computeIfAbsent(rowKey(p), k -> new Row(p));
      r.cpu = rate("container:" + rowKey(p), p.value(), cpuAt, cpuOut);
    }
    for (Point p : points(families.get("container_memory_working_set_bytes"))) {
      if (!isContainer(p)) {
        continue;
      }
      rows.computeIfAbsent(rowKey(p), k -> new Row(p)).workingSet = p.value();
    }
    List<TopData.ContainerRow> all = rows.values().stream().map(Row::toRow).toList();
    List<TopData.ContainerRow> byCpu = top(all, TopData.ContainerRow::cpuCores);
    List<TopData.ContainerRow> byMemory = top(all, TopData.ContainerRow::workingSetBytes);

    return new TopData(
        now.toString(),
        containerd,
        namespaces,
        byCpu,
        byMemory,
        health,
        new TopData.EventStream(eventStreamUp.getAsBoolean()),
        List.of(),
        List.of(),
        List.of(),
        new TreeMap<>(flags),
        links);
  }

  /** The {@link #TOP} largest by {@code key} (rows without it left out), ties by id. */
  private static List<TopData.ContainerRow> top(
      List<TopData.ContainerRow> all,
      java.util.function.Function<TopData.ContainerRow, Double> key) {
    return all.stream()
        .filter(r -> key.apply(r) != null)
        .sorted(Comparator.comparing(key).reversed().thenComparing(TopData.ContainerRow::id))
        .limit(TOP)
        .toList();
  }

  private static final class Row {
    final Point labels;
    Double cpu;
    Double workingSet;

    Row(Point labels) {
      this.labels = labels;
    }

    TopData.ContainerRow toRow() {
      return new TopData.ContainerRow(
          labels.label("id"),
          labels.label("name"),
          labels.label("containerd_namespace"),
          labels.label("namespace"),
          labels.label("pod"),
          labels.label("container"),
          labels.label("image"),
          cpu,
          workingSet);
    }
  }

  /** cAdvisor's machine-wide series (id "/", no containerd namespace) are not a container. */
  private static boolean isContainer(Point p) {
    return !p.label("containerd_namespace").isEmpty();
  }

  private static String rowKey(Point p) {
    return p.label("containerd_namespace") + "/" + p.label("id");
  }

  /** The rate since the previous round's reading of {@code key}; null on the first or a reset. */
  private Double rate(String key, double value, Instant at, Map<String, Sample> out) {
    out.put(key, new Sample(value, at));
    Sample before = previousCpu.get(key);
    if (before == null || !at.isAfter(before.at()) || value < before.value()) {
      return null;
    }
    return (value - before.value()) / seconds(Duration.between(before.at(), at));
  }

  private static Map<String, Long> perNamespace(Family family) {
    Map<String, Long> out = new TreeMap<>();
    for (Point p : points(family)) {
      out.merge(p.label("containerd_namespace"), Math.round(p.value()), Long::sum);
    }
    return out;
  }

  /** The family's values summed; null when it has none (not read this round). */
  private static Double sum(Family family) {
    List<Point> p = points(family);
    return p.isEmpty() ? null : p.stream().mapToDouble(Point::value).sum();
  }

  private static Long whole(Double v) {
    return v == null ? null : Math.round(v);
  }

  /**
   * One series of a family, read alike whether we built it (no client_java snapshot needed) or
   * client_java did.
   */
  private record Point(UnaryOperator<String> labels, double value) {
    String label(String name) {
      return orEmpty(labels.apply(name));
    }
  }

  private static List<Point> points(Family family) {
    if (family == null) {
      return List.of();
    }
    List<Point> out = new ArrayList<>(family.size());
    if (family instanceof SeriesFamily s) {
      for (int i = 0; i < s.size(); i++) {
        int at = i;
        out.add(new Point(name -> s.label(at, name), s.value(i)));
      }
    } else {
      for (DataPointSnapshot p : family.snapshot().getDataPoints()) {
        out.add(new Point(p.getLabels()::get, value(p)));
      }
    }
    return out;
  }

  private static Double single(Family family) {
    List<Point> p = points(family);
    return p.isEmpty() ? null : p.get(0).value();
  }

  private static double value(DataPointSnapshot p) {
    if (p instanceof GaugeSnapshot.GaugeDataPointSnapshot g) {
      return g.getValue();
    }
    if (p instanceof CounterSnapshot.CounterDataPointSnapshot c) {
      return c.getValue();
    }
    return Double.NaN;
  }

  private static String orEmpty(String s) {
    return Optional.ofNullable(s).orElse("");
  }

  /**
   * The flags in effect that say what is watched and how often, as {@code name → value}, spelled as
   * on the command line (durations {@code 15s}, not {@code PT15S}).
   */
  public static Map<String, String> flags(ExporterConfig c) {
    Map<String, String> f = new TreeMap<>();
    f.put("containerd.address", c.containerdAddress().toString());
    f.put("containerd.timeout", PrometheusDuration.format(c.containerdTimeout()));
    f.put(
        "web.listen-address",
        c.listenAddresses().stream()
            .map(Object::toString)
            .collect(java.util.stream.Collectors.joining(" ")));
    f.put("web.telemetry-path", c.telemetryPath());
    f.put("poll.interval", PrometheusDuration.format(c.poll().interval()));
    f.put("poll.timeout", PrometheusDuration.format(c.poll().timeout()));
    f.put("poll.max-staleness", PrometheusDuration.format(c.poll().maxStaleness()));
    f.put("containerd.namespaces.include", c.poll().namespaces().include().pattern());
    c.poll()
        .namespaces()
        .exclude()
        .ifPresent(p -> f.put("containerd.namespaces.exclude", p.pattern()));
    // --collector.NAME, as the flag is spelled; only the enabled ones
    c.poll().enabledCollectors().forEach(name -> f.put("collector." + name, "on"));
    f.put("stats.source", c.statsSource().flagValue());
    f.put("events.retention", PrometheusDuration.format(c.eventsRetention()));
    f.put("path.cgroupfs", c.cgroupfs().toString());
    f.put("path.procfs", c.procfs().toString());
    c.containerLabels().ifPresent(p -> f.put("labels.container-labels", p.pattern()));
    return f;
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }
}
