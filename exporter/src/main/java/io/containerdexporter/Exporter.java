package io.containerdexporter;

import io.containerdexporter.cgroup.CgroupReadFailures;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.collect.CollectorCatalog;
import io.containerdexporter.collect.DebugLoggedCollector;
import io.containerdexporter.collect.Poller;
import io.containerdexporter.collect.PollerMetrics;
import io.containerdexporter.collect.RoundLister;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.config.FamilyFilter;
import io.containerdexporter.containerd.ConnectionMonitor;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.events.EventMetrics;
import io.containerdexporter.events.EventState;
import io.containerdexporter.events.EventSubscriber;
import io.containerdexporter.exposition.BuildInfoMetrics;
import io.containerdexporter.exposition.ContainerdStatusMetrics;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.ContainerLabelFilter;
import io.containerdexporter.index.OomKillReadings;
import io.containerdexporter.metrics.MetricSource;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.model.ContainerdStatus;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.pulls.PullMetrics;
import io.containerdexporter.pulls.PullSources;
import io.containerdexporter.pulls.PullStats;
import io.containerdexporter.web.NodeTop;
import io.containerdexporter.web.WebConfigWatcher;
import io.containerdexporter.web.WebMetrics;
import io.containerdexporter.web.WebServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Logger;

/** Wires one exporter process together and owns the lifecycle of its parts. */
public final class Exporter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Exporter.class.getName());

  private final ContainerdChannel channel;
  private final ConnectionMonitor monitor;
  private final Poller poller;
  private final EventSubscriber subscriber;
  private final PullSources pulls;
  private final WebServer web;

  private Exporter(
      ContainerdChannel channel,
      ConnectionMonitor monitor,
      Poller poller,
      EventSubscriber subscriber,
      PullSources pulls,
      WebServer web) {
    this.channel = channel;
    this.monitor = monitor;
    this.poller = poller;
    this.subscriber = subscriber;
    this.pulls = pulls;
    this.web = web;
  }

  /** Starts everything; throws IOException only when the listen address can't be bound. */
  public static Exporter start(ExporterConfig config, BuildInfo build) throws IOException {
    Clock clock = Clock.systemUTC();
    // First, before any thread starts: a bad web config is a usage error (exit 2).
    WebConfigWatcher webConfig = WebConfigWatcher.open(config.web().configFile(), clock);
    WebMetrics webMetrics = new WebMetrics(() -> webConfig);
    ContainerdChannel channel = new ContainerdChannel(config.containerdAddress());
    ContainerdClient client = new ContainerdClient(channel, config.containerdTimeout());
    ConnectionMonitor monitor = ConnectionMonitor.forClient(client, clock);
    ContainerIndex index = new ContainerIndex(new ContainerLabelFilter(config.containerLabels()));
    Supplier<List<String>> namespaces =
        () ->
            client.namespaces().stream()
                .filter(config.poll().namespaces()::accepts)
                .sorted()
                .toList();
    RoundLister rounds = new RoundLister(client, config.poll().namespaces(), index);
    ReadErrors cgroupErrors = CollectorCatalog.cgroupReadErrors();
    CgroupReadFailures cgroupFailures = CollectorCatalog.cgroupReadFailures();
    PullStats pullStats = new PullStats(config.pulls().maxRepositories());
    OomKillReadings oomKills = new OomKillReadings();
    Poller poller =
        new Poller(
            DebugLoggedCollector.wrapIfDebug(
                CollectorCatalog.build(
                    client, config, index, cgroupErrors, cgroupFailures, pullStats, oomKills)),
            debugLoggedRounds(rounds::list),
            config.poll().interval(),
            config.poll().timeout(),
            config.poll().maxStaleness(),
            clock);
    // After an outage, re-read everything at once rather than at the next tick.
    monitor.onConnected(poller::pollSoon);

    // A CRI pull's /images/create counts as its success (once, with the log's line for it).
    EventState events =
        new EventState(
            clock,
            config.eventsRetention(),
            index,
            (namespace, name, labels) ->
                pullStats.imageCreated(namespace, name, labels, clock.instant()));
    // The event path reads only the OOM-kill counters, through the same readers (and path checks,
    // and error counter)
    // as task stats.
    EventSubscriber subscriber =
        EventSubscriber.create(
            client,
            index,
            events,
            CgroupReaders.detect(config.cgroupfs(), cgroupErrors, cgroupFailures),
            namespaces,
            config.poll().namespaces()::accepts,
            clock,
            config.eventsRetention(),
            config.poll().interval(),
            oomKills);

    NodeTop top =
        new NodeTop(
            monitor::status,
            events::streamUp,
            new NodeTop.Recent(events::recentOoms, events::recentExits, pullStats::recentFailures),
            config,
            clock);

    PrometheusRegistry registry = new PrometheusRegistry();
    ExporterCollector ours =
        exposition(
            monitor::status, poller, events, pullStats, build, webMetrics, config.metricsFilter());
    registry.register(ours);
    if (config.jvmMetrics()) {
      JvmMetrics.builder().register(registry);
    } else {
      // --no-metrics.jvm drops jvm_*; process_* stays, as the exporter's memory and CPU are what
      // people alert on.
      ProcessMetrics.builder().register(registry);
    }

    WebServer web;
    try {
      web =
          WebServer.start(
              config, build, registry, ours, monitor::status, webConfig, webMetrics, top::current);
    } catch (IOException | RuntimeException e) {
      subscriber.close();
      poller.close();
      monitor.close();
      channel.close();
      throw e;
    }
    poller.onPublished(web::prerender);
    poller.onPublished(() -> top.update(poller.latest()));
    monitor.start();
    poller.start();
    subscriber.start();
    PullSources pulls =
        PullSources.start(
            config.pulls(),
            config.poll().enabledCollectors().contains(CollectorCatalog.PULLS_LOG.name()),
            config.poll().enabledCollectors().contains(CollectorCatalog.PULLS_JOURNAL.name()),
            pullStats,
            clock);
    LOG.info(
        build.versionLine()
            + " listening on "
            + config.listenAddresses().stream()
                .map(a -> (webConfig.tls() ? "https://" : "http://") + a + config.telemetryPath())
                .collect(java.util.stream.Collectors.joining(" "))
            + ", watching containerd at "
            + config.containerdAddress());
    return new Exporter(channel, monitor, poller, subscriber, pulls, web);
  }

  /**
   * Each poll round starts by listing the namespaces: at debug level, that is where a round says it
   * begins.
   */
  private static Poller.RoundSource debugLoggedRounds(Poller.RoundSource rounds) {
    Logger poll = Logger.getLogger(Poller.class.getName());
    return now -> {
      RoundView view = rounds.list(now);
      poll.fine(() -> "poll round: containerd namespaces " + view.namespaces());
      return view;
    };
  }

  /**
   * Everything of ours that /metrics shows, as one collector that declares every family up front.
   * Tests build it the same way to hold docs/metrics.md against the declarations.
   */
  public static ExporterCollector exposition(
      Supplier<ContainerdStatus> status,
      Poller poller,
      EventState events,
      PullStats pulls,
      BuildInfo build) {
    return exposition(
        status, poller, events, pulls, build, new WebMetrics(() -> null), FamilyFilter.ALL);
  }

  /** The same, serving only the families {@code served} includes. */
  static ExporterCollector exposition(
      Supplier<ContainerdStatus> status,
      Poller poller,
      EventState events,
      PullStats pulls,
      BuildInfo build,
      WebMetrics web,
      FamilyFilter served) {
    Map<String, MetricSource> sources = new LinkedHashMap<>();
    sources.put("containerd", new ContainerdStatusMetrics(status));
    sources.put("poller", new PollerMetrics(poller));
    sources.put("events", new EventMetrics(events));
    sources.put("pulls", new PullMetrics(pulls));
    sources.put("build", new BuildInfoMetrics(build));
    sources.put("web", web);
    return new ExporterCollector(sources, served);
  }

  @Override
  public void close() {
    web.close();
    pulls.close();
    subscriber.close();
    poller.close();
    monitor.close();
    channel.close();
  }
}
