package io.containerdexporter;

import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.containerd.ConnectionMonitor;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.exposition.BuildInfoMetrics;
import io.containerdexporter.exposition.ContainerdStatusMetrics;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.metrics.MetricSource;
import io.containerdexporter.web.WebServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Logger;

/** Wires one exporter process together and owns the lifecycle of its parts. */
public final class Exporter implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Exporter.class.getName());

  private final ContainerdChannel channel;
  private final ConnectionMonitor monitor;
  private final WebServer web;

  private Exporter(ContainerdChannel channel, ConnectionMonitor monitor, WebServer web) {
    this.channel = channel;
    this.monitor = monitor;
    this.web = web;
  }

  /** Starts everything; throws IOException only when the listen address can't be bound. */
  public static Exporter start(ExporterConfig config, BuildInfo build) throws IOException {
    Clock clock = Clock.systemUTC();
    ContainerdChannel channel = new ContainerdChannel(config.containerdAddress());
    ContainerdClient client = new ContainerdClient(channel, config.containerdTimeout());
    ConnectionMonitor monitor = ConnectionMonitor.forClient(client, clock);

    Map<String, MetricSource> sources = new LinkedHashMap<>();
    sources.put("containerd", new ContainerdStatusMetrics(monitor::status));
    sources.put("build", new BuildInfoMetrics(build));
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(new ExporterCollector(sources));
    JvmMetrics.builder().register(registry);

    WebServer web;
    try {
      web = WebServer.start(config, build, registry, monitor::status);
    } catch (IOException | RuntimeException e) {
      monitor.close();
      channel.close();
      throw e;
    }
    monitor.start();
    LOG.info(build.versionLine() + " listening on " + config.listenAddress() + config.telemetryPath()
        + ", watching containerd at " + config.containerdAddress());
    return new Exporter(channel, monitor, web);
  }

  @Override
  public void close() {
    web.close();
    monitor.close();
    channel.close();
  }
}
