package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The exporter jar against a real containerd: up, version, death, restart, and start before
 * containerd.
 */
@ExtendWith(ContainerdExtension.class)
class ContainerdConnectionIT {

  private final ContainerdSandbox containerd;

  ContainerdConnectionIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @BeforeEach
  @AfterEach
  void containerdRuns() {
    if (!containerd.daemonRunning()) {
      containerd.restartDaemon();
    }
  }

  private static Optional<Double> up(ExporterProcess exporter) {
    return exporter.scrape().value("containerd_up");
  }

  @Test
  void reportsUpAndTheVersionCtrReports() {
    try (ExporterProcess exporter = ExporterProcess.start(containerd.socket())) {
      MetricsText metrics =
          Await.until(
              Duration.ofSeconds(10),
              "containerd_up 1",
              exporter::scrape,
              m -> m.value("containerd_up").equals(Optional.of(1.0)));
      assertEquals(
          Optional.of(1.0),
          metrics.value(
              "containerd_info",
              "version",
              containerd.serverVersion(),
              "revision",
              containerd.serverRevision()),
          "containerd_info must carry what `ctr version` reports: "
              + metrics.samples("containerd_info"));
      assertEquals(1, metrics.samples("containerd_exporter_build_info").size());
      assertTrue(
          metrics.samples().stream().anyMatch(s -> s.name().startsWith("jvm_")),
          "JVM metrics present");
      assertTrue(
          metrics.samples().stream().anyMatch(s -> s.name().startsWith("process_")),
          "process metrics present");

      assertEquals(200, exporter.get("/-/ready").statusCode());
      String landing = exporter.get("/").body();
      assertTrue(landing.contains(containerd.socket().toString()), landing);
      assertTrue(landing.contains(containerd.serverVersion()), landing);
    }
  }

  @Test
  void followsContainerdThroughKill9AndRestartInTheSameProcess() {
    try (ExporterProcess exporter = ExporterProcess.start(containerd.socket())) {
      Await.until(
          Duration.ofSeconds(10),
          "containerd_up 1",
          () -> up(exporter),
          v -> v.equals(Optional.of(1.0)));
      long pid = exporter.pid();

      containerd.killDaemon();
      Await.until(
          Duration.ofSeconds(5),
          "containerd_up 0 within 5 s of kill -9",
          () -> up(exporter),
          v -> v.equals(Optional.of(0.0)));
      assertEquals(
          200, exporter.get("/-/ready").statusCode(), "ready means 'containerd answered once'");

      containerd.restartDaemon();
      Await.until(
          Duration.ofSeconds(10),
          "containerd_up 1 after restart",
          () -> up(exporter),
          v -> v.equals(Optional.of(1.0)));
      assertEquals(pid, exporter.pid());
      assertTrue(exporter.isAlive());
      assertTrue(
          exporter.log().contains("connected to containerd " + containerd.serverVersion()),
          exporter.log());
    }
  }

  @Test
  void startsWithoutContainerdAndConnectsWhenItAppears() {
    containerd.stopDaemon();
    try (ExporterProcess exporter = ExporterProcess.start(containerd.socket())) {
      assertEquals(Optional.of(0.0), up(exporter));
      assertEquals(503, exporter.get("/-/ready").statusCode());
      Await.until(
          Duration.ofSeconds(5),
          "the cause in the log",
          exporter::log,
          log -> log.contains("containerd at " + containerd.socket() + " is not reachable: "));

      containerd.restartDaemon();
      Await.until(
          Duration.ofSeconds(10),
          "containerd_up 1 once containerd is there",
          () -> up(exporter),
          v -> v.equals(Optional.of(1.0)));
      assertEquals(200, exporter.get("/-/ready").statusCode());
    }
  }

  @Test
  void aLiveScrapeIsCleanForPromtool() {
    try (ExporterProcess exporter = ExporterProcess.start(containerd.socket())) {
      MetricsText metrics =
          Await.until(
              Duration.ofSeconds(10),
              "containerd_up 1",
              exporter::scrape,
              m -> m.value("containerd_up").equals(Optional.of(1.0)));
      Promtool.Result lint = Promtool.checkMetrics(metrics.text());
      assertEquals(0, lint.exitCode(), lint.output());
      assertEquals("", lint.output().strip(), "promtool check metrics must have nothing to say");
    }
  }
}
