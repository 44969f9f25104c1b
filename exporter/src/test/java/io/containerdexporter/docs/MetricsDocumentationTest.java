package io.containerdexporter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.Exporter;
import io.containerdexporter.collect.CollectorCatalog;
import io.containerdexporter.collect.Poller;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.CollectorSwitch;
import io.containerdexporter.config.CommandLineParser;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.events.EventState;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ContainerdStatus;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/metrics.md lists exactly the families the code declares, with the same type, unit and
 * labels.
 */
class MetricsDocumentationTest {

  /**
   * Every family the exporter can expose: built the way Exporter builds it, with every collector
   * switched on.
   */
  static List<FamilySpec> declaredFamilies() {
    String[] everyCollector =
        java.util.stream.Stream.concat(
                CollectorCatalog.switches().stream().map(s -> "--collector." + s.name()),
                // The containerd-metrics collector exists only with a URL; nothing is fetched here.
                java.util.stream.Stream.of(
                    "--containerd.metrics-url=http://127.0.0.1:1/v1/metrics"))
            .toArray(String[]::new);
    ExporterConfig config =
        ((CommandLineParser.Run)
                CommandLineParser.parse(
                    everyCollector,
                    CollectorCatalog.switches(),
                    new PrintWriter(Writer.nullWriter()),
                    new PrintWriter(Writer.nullWriter())))
            .config();
    assertEquals(
        CollectorCatalog.switches().stream().map(CollectorSwitch::name).collect(Collectors.toSet()),
        config.poll().enabledCollectors());
    // No call is made: the channel dials lazily and nothing here asks containerd anything.
    try (ContainerdChannel channel =
            new ContainerdChannel(Path.of("/nonexistent/containerd.sock"));
        Poller poller =
            new Poller(
                CollectorCatalog.build(
                    new ContainerdClient(channel, config.containerdTimeout()),
                    config,
                    new ContainerIndex()),
                io.containerdexporter.model.RoundView::empty,
                config.poll().interval(),
                config.poll().timeout(),
                config.poll().maxStaleness(),
                Clock.systemUTC())) {
      EventState events =
          new EventState(Clock.systemUTC(), Duration.ofMinutes(1), new ContainerIndex());
      return Exporter.exposition(
              () -> ContainerdStatus.initial(Instant.EPOCH),
              poller,
              events,
              new io.containerdexporter.pulls.PullStats(1),
              new BuildInfo("test", "test", "17"))
          .allFamilies();
    }
  }

  @Test
  void everyDeclaredFamilyIsDocumentedAsDeclared() {
    Map<String, FamilySpec> declared =
        declaredFamilies().stream()
            .collect(
                Collectors.toMap(FamilySpec::name, Function.identity(), (a, b) -> a, TreeMap::new));
    Map<String, MetricsTable.Row> documented =
        MetricsTable.rows().stream()
            .collect(
                Collectors.toMap(
                    MetricsTable.Row::name,
                    Function.identity(),
                    (a, b) -> {
                      throw new AssertionError("documented twice: " + a.name());
                    },
                    TreeMap::new));

    assertEquals(
        declared.keySet(), documented.keySet(), "families in the code vs. in docs/metrics.md");
    for (FamilySpec spec : declared.values()) {
      MetricsTable.Row row = documented.get(spec.name());
      assertEquals(spec.type().name().toLowerCase(Locale.ROOT), row.type(), spec.name() + ": type");
      assertEquals(
          spec.unit() == null ? "" : spec.unit().toString(), row.unit(), spec.name() + ": unit");
      assertEquals(Set.copyOf(spec.labelNames()), row.labels(), spec.name() + ": labels");
    }
  }

  @Test
  void theJvmAndProcessFamiliesAreDocumentedAsAGroup() {
    assertTrue(
        MetricsTable.wildcardPrefixes().containsAll(Set.of("jvm_", "process_")),
        MetricsTable.wildcardPrefixes().toString());
  }
}
