package io.containerdexporter.exposition;

import io.containerdexporter.config.FamilyFilter;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusScrapeRequest;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * All of our own families, as one client_java {@link MultiCollector} with declared descriptors. A
 * scrape only asks each source to render what it already holds. A source that throws loses its
 * families for that scrape, is logged once per kind of failure and counted; the rest of the scrape
 * is served. client_java would otherwise answer the whole scrape with a 500.
 */
public final class ExporterCollector implements MultiCollector {

  static final FamilySpec RENDER_ERRORS =
      FamilySpec.counter(
          "containerd_exporter_render_errors_total",
          "Scrapes in which a metric source failed to render; its families were left out. Non-zero means a bug.",
          "source");

  private static final Logger LOG = Logger.getLogger(ExporterCollector.class.getName());

  private final Map<String, MetricSource> sources;
  private final List<MetricFamilyDescriptor> descriptors;
  private final Map<String, LongAdder> renderErrors = new ConcurrentHashMap<>();
  private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
  private final FamilyFilter served;

  /** client_java's names (without _total/_info) of the served families. */
  private final Set<String> servedSnapshotNames = new HashSet<>();

  /**
   * @param sources by a short name (used as the {@code source} label)
   */
  public ExporterCollector(Map<String, MetricSource> sources) {
    this(sources, FamilyFilter.ALL);
  }

  /**
   * @param served which families are exposed ({@code --metrics.include/exclude}); the rest are
   *     neither declared nor rendered
   */
  public ExporterCollector(Map<String, MetricSource> sources, FamilyFilter served) {
    this.sources = new LinkedHashMap<>(sources);
    this.served = served;
    for (FamilySpec spec : allFamilies()) {
      if (served.includes(spec.name())) {
        servedSnapshotNames.add(spec.snapshotName());
      }
    }
    List<MetricFamilyDescriptor> all = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (FamilySpec spec : allFamilies()) {
      if (!names.add(spec.name())) {
        throw new IllegalStateException("metric family " + spec.name() + " is declared twice");
      }
      if (served.includes(spec.name())) {
        all.add(spec.descriptor());
      }
    }
    this.descriptors = List.copyOf(all);
    this.sources.keySet().forEach(name -> renderErrors.put(name, new LongAdder()));
  }

  /** Every family this collector can expose, in declaration order. */
  public List<FamilySpec> allFamilies() {
    List<FamilySpec> all = new ArrayList<>();
    sources.values().forEach(s -> all.addAll(s.families()));
    all.add(RENDER_ERRORS);
    return all;
  }

  @Override
  public List<MetricFamilyDescriptor> getMetricFamilyDescriptors() {
    return descriptors;
  }

  /** Whether {@code name} (client_java's name, without _total/_info) is one of ours. */
  public boolean serves(String name) {
    return servedSnapshotNames.contains(name);
  }

  /**
   * Our families as the sources hold them, served ones only: what the scrape path encodes without
   * going through client_java's snapshots.
   */
  public List<Family> families() {
    List<Family> out = new ArrayList<>();
    forEachFamily((source, family) -> out.add(family));
    return out;
  }

  private void forEachFamily(BiConsumer<String, Family> action) {
    sources.forEach(
        (name, source) -> {
          try {
            for (Family family : source.render()) {
              if (servedSnapshotNames.contains(family.name())) {
                action.accept(name, family);
              }
            }
          } catch (RuntimeException e) {
            failed(name, e);
          }
        });
    if (served.includes(RENDER_ERRORS.name())) {
      var errors = RENDER_ERRORS.builder();
      renderErrors.forEach((name, count) -> errors.add(count.sum(), name));
      action.accept("exporter", errors.build());
    }
  }

  @Override
  public MetricSnapshots collect() {
    return collect(name -> true);
  }

  /**
   * Builds client_java snapshots only of the families asked for ({@code name[]=}): one family's
   * snapshot costs a sort of its series.
   */
  @Override
  public MetricSnapshots collect(Predicate<String> includedNames) {
    MetricSnapshots.Builder out = MetricSnapshots.builder();
    if (servedSnapshotNames.stream().noneMatch(includedNames)) {
      return out.build(); // the scrape path asking the registry for everything but ours
    }
    forEachFamily(
        (source, family) -> {
          if (includedNames.test(family.name())) {
            try {
              out.metricSnapshot(family.snapshot());
            } catch (RuntimeException e) {
              // client_java rejects what the renderer writes as is (a duplicate series): a bug
              failed(source, e);
            }
          }
        });
    return out.build();
  }

  @Override
  public MetricSnapshots collect(
      Predicate<String> includedNames, PrometheusScrapeRequest scrapeRequest) {
    return collect(includedNames);
  }

  private void failed(String source, RuntimeException e) {
    renderErrors.get(source).increment();
    if (loggedFailures.add(source + ":" + e.getClass().getName())) {
      LOG.log(
          Level.SEVERE,
          "metric source " + source + " failed to render; its families are left out",
          e);
    }
  }
}
