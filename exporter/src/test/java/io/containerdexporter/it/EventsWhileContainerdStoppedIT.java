package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.containerd.api.events.TaskOOM;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A scrape never waits on containerd (issue 8 §2): containerd is SIGSTOPped for 10 s while
 * thousands of events are still on their way to the exporter, each of which makes the event thread
 * look a container up in containerd. Every scrape meanwhile answers 200 within a second; after
 * SIGCONT every event is counted, exactly once.
 */
@ExtendWith(ContainerdExtension.class)
class EventsWhileContainerdStoppedIT {

  private static final String NS = "stopped";
  private static final int PUBLISHERS = 4;
  private static final int EVENTS_EACH = 500;
  private static final int EVENTS = PUBLISHERS * EVENTS_EACH;

  /**
   * Containers the events are about: few, so a scrape stays small and only the waiting is measured.
   */
  private static final int GHOSTS = 20;

  private static final Duration STOPPED_FOR = Duration.ofSeconds(10);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  private final ContainerdSandbox containerd;

  EventsWhileContainerdStoppedIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  private static Optional<Double> oomEvents(MetricsText m) {
    return m.value("containerd_events_total", "containerd_namespace", NS, "topic", "/tasks/oom");
  }

  @Test
  void everyScrapeAnswersWithinASecondWhileContainerdIsStoppedAndEverythingCatchesUpAfter()
      throws Exception {
    containerd.createNamespace(NS);
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s")) {
      Await.until(
          Duration.ofSeconds(10),
          "event stream up",
          exporter::scrape,
          m -> m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));

      List<Long> before = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        before.add(timedScrapeMillis(exporter));
        Thread.sleep(100);
      }
      System.out.println("scrapes with containerd running: " + before);

      // OOM events of containers containerd does not have: each one costs the exporter a
      // Containers.Get (a lookup
      // that fails is not remembered), and their cgroups cannot be read, so each event counts one
      // kill.
      // Published from several threads, faster than the exporter's single event thread applies
      // them.
      ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHERS);
      try {
        List<Future<?>> sent = new ArrayList<>();
        for (int p = 0; p < PUBLISHERS; p++) {
          int first = p * EVENTS_EACH;
          sent.add(
              publishers.submit(
                  () -> {
                    try (EventPublisher publisher = new EventPublisher(containerd.socket())) {
                      for (int i = first; i < first + EVENTS_EACH; i++) {
                        publisher.publish(
                            NS,
                            "/tasks/oom",
                            TaskOOM.newBuilder().setContainerId("ghost-" + i % GHOSTS).build());
                      }
                    }
                  }));
        }
        for (Future<?> f : sent) {
          f.get();
        }
      } finally {
        publishers.shutdownNow();
      }

      List<Long> latenciesMillis = new ArrayList<>();
      double appliedWhenStopped;
      signal("STOP");
      try {
        appliedWhenStopped = oomEvents(exporter.scrape()).orElse(0.0);
        long until = System.nanoTime() + STOPPED_FOR.toNanos();
        while (System.nanoTime() < until) {
          latenciesMillis.add(timedScrapeMillis(exporter));
          Thread.sleep(100);
        }
      } finally {
        signal("CONT");
      }
      long slowest = latenciesMillis.stream().mapToLong(Long::longValue).max().orElse(0);
      System.out.printf(
          "scrapes while containerd was stopped: %d, slowest %d ms (all: %s); events applied at "
              + "SIGSTOP: %.0f of %d%n",
          latenciesMillis.size(), slowest, latenciesMillis, appliedWhenStopped, EVENTS);
      assertTrue(
          appliedWhenStopped < EVENTS,
          "events were still in flight when containerd stopped ("
              + appliedWhenStopped
              + " of "
              + EVENTS
              + " applied)");
      assertTrue(
          slowest < 1000,
          "every scrape within 1 s while containerd was stopped: " + latenciesMillis);

      MetricsText m =
          Await.until(
              Duration.ofSeconds(60),
              "every event applied after SIGCONT",
              exporter::scrape,
              s -> oomEvents(s).equals(Optional.of((double) EVENTS)));
      List<MetricsText.Sample> ooms =
          m.samples("container_oom_events_total").stream()
              .filter(s -> s.labels().get("containerd_namespace").equals(NS))
              .toList();
      assertEquals(GHOSTS, ooms.size(), "one series per container");
      assertTrue(
          ooms.stream().allMatch(s -> s.value() == EVENTS / GHOSTS),
          "each event counted exactly once: " + ooms);
      assertEquals(Optional.of(1.0), m.value("containerd_exporter_event_stream_up"));
    }
  }

  /**
   * One GET /metrics that must answer 200; how long it took (a 5 s cap, so a slow one is measured,
   * not lost).
   */
  private static long timedScrapeMillis(ExporterProcess exporter)
      throws IOException, InterruptedException {
    long start = System.nanoTime();
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + exporter.port() + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return (System.nanoTime() - start) / 1_000_000;
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill =
        new ProcessBuilder("kill", "-" + signal, Long.toString(containerd.daemonPid()))
            .redirectErrorStream(true)
            .start();
    assertEquals(
        0,
        kill.waitFor(),
        "kill -" + signal + ": " + new String(kill.getInputStream().readAllBytes()));
  }
}
