package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real daemon misbehaving while the exporter is scraped: kill -9 and restart three times in a
 * row under a scrape every 100 ms. This class kills its containerd, so it has a sandbox of its own.
 */
@ExtendWith(ContainerdExtension.class)
class ContainerdFaultsIT {

  private static final String NS = "faults";
  private final ContainerdSandbox containerd;

  ContainerdFaultsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @AfterEach
  void containerdRuns() {
    if (!containerd.daemonRunning()) {
      containerd.restartDaemon();
    }
  }

  @Test
  void threeKill9sUnderAScrapeEvery100msFailNoScrapeAndLeakNothing() throws Exception {
    containerd.importBusybox(NS, ContainerdSandbox.BUSYBOX_IMAGE);
    containerd.run(
        NS, "steady", ContainerdSandbox.BUSYBOX_IMAGE, RunOptions.DEFAULTS, "sleep", "100000");
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s")) {
      MetricsText settled =
          Await.until(
              Duration.ofSeconds(30),
              "containerd up, the event stream up and the task's stats",
              exporter::scrape,
              m ->
                  m.value("containerd_up").equals(Optional.of(1.0))
                      && m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
                      && !m.samples("container_cpu_usage_seconds_total").isEmpty());
      // The HTTP pool starts its threads as requests come, up to its size: warm it up first, so
      // that what is measured after the outages is what they left behind.
      for (int i = 0; i < 16; i++) { // the pool has 4 threads
        settled = exporter.scrape();
      }
      double threadsBefore = settled.value("jvm_threads_current").orElseThrow();
      double fdsBefore = settled.value("process_open_fds").orElseThrow();
      double reconnectsBefore =
          settled.value("containerd_exporter_event_stream_reconnects_total").orElse(0.0);

      List<String> failures = new CopyOnWriteArrayList<>();
      Map<String, Double> lastCounter = new ConcurrentHashMap<>();
      ScheduledExecutorService scraper = Executors.newSingleThreadScheduledExecutor();
      scraper.scheduleAtFixedRate(
          () -> scrapeOnce(exporter, failures, lastCounter), 0, 100, TimeUnit.MILLISECONDS);
      try {
        for (int round = 1; round <= 3; round++) {
          containerd.killDaemon();
          Await.until(
              Duration.ofSeconds(10),
              "containerd_up 0 after kill -9 #" + round,
              () -> exporter.scrape().value("containerd_up"),
              v -> v.equals(Optional.of(0.0)));
          containerd.restartDaemon();
          int r = round;
          Await.until(
              Duration.ofSeconds(30),
              "containerd_up 1 and the event stream resubscribed after restart #" + round,
              exporter::scrape,
              m ->
                  m.value("containerd_up").equals(Optional.of(1.0))
                      && m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
                      && m.value("containerd_exporter_event_stream_reconnects_total").orElse(0.0)
                          >= reconnectsBefore + r);
        }
      } finally {
        scraper.shutdown();
        assertTrue(scraper.awaitTermination(30, TimeUnit.SECONDS));
      }
      assertEquals(List.of(), failures, "failed scrapes or counters that went backwards");

      // The same task, still running through all of it, has fresh stats again.
      MetricsText after =
          Await.until(
                  Duration.ofSeconds(70),
                  "threads and fds back to their level (connections from the outages closed; idle"
                      + " pool threads end after 60 s): before "
                      + threadsBefore
                      + " threads, "
                      + fdsBefore
                      + " fds",
                  () -> new Levels(exporter.scrape()),
                  l -> l.threads() <= threadsBefore + 3 && l.fds() <= fdsBefore + 5)
              .scrape();
      assertTrue(
          after.value("container_cpu_usage_seconds_total", "name", "steady").isPresent(),
          "the surviving task's stats");
      assertTrue(exporter.isAlive());
    }
  }

  /** The exporter's thread and fd counts in one scrape, printed when the wait times out. */
  private record Levels(MetricsText scrape) {
    double threads() {
      return scrape.value("jvm_threads_current").orElseThrow();
    }

    double fds() {
      return scrape.value("process_open_fds").orElseThrow();
    }

    @Override
    public String toString() {
      return threads() + " threads, " + fds() + " fds";
    }
  }

  /**
   * The CPU time of containerd's process (and of its shims) is the kernel's counter of a process: a
   * new containerd starts from 0, a reset that rate() handles and
   * containerd_process_start_time_seconds shows. Every counter the exporter keeps itself must
   * survive the restart.
   */
  private static boolean resetsWithContainerd(MetricsText.Sample s) {
    return s.name().startsWith("containerd_process_")
        || s.name().equals("containerd_shims_cpu_seconds_total");
  }

  /** One scrape: it must answer 200, and no counter may be lower than in the previous one. */
  private static void scrapeOnce(
      ExporterProcess exporter, List<String> failures, Map<String, Double> lastCounter) {
    try {
      HttpResponse<String> r = exporter.get("/metrics");
      if (r.statusCode() != 200) {
        failures.add("status " + r.statusCode());
        return;
      }
      for (MetricsText.Sample s : MetricsText.parse(r.body()).samples()) {
        if (!s.name().endsWith("_total")
            || s.name().startsWith("jvm_")
            || resetsWithContainerd(s)) {
          continue;
        }
        String key = s.name() + s.labels();
        Double previous = lastCounter.put(key, s.value());
        if (previous != null && s.value() < previous) {
          failures.add(key + " went from " + previous + " to " + s.value());
        }
      }
    } catch (RuntimeException e) {
      failures.add(e.toString());
    }
  }
}
