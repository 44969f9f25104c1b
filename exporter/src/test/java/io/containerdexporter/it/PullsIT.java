package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.cri.CriImagePuller;
import io.containerdexporter.docs.MetricsTable;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.Registry;
import io.grpc.Status;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Failed and successful CRI pulls on the real daemon, counted from containerd's log file the
 * exporter follows: the test plays kubelet (CRI PullImage over the containerd socket) against real
 * registries, then rotates the log (copytruncate) and restarts containerd onto a new file. One
 * sandbox, one exporter, one containerd restart.
 */
@ExtendWith(ContainerdExtension.class)
class PullsIT {

  /** The promise: a failure is on /metrics within 2 s of containerd answering it. */
  private static final Duration COUNTED_WITHIN = Duration.ofSeconds(2);

  private final ContainerdSandbox containerd;

  PullsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @Test
  void everyOutcomeIsCountedUnderItsRegistryRepositoryAndReason() throws IOException {
    try (Registry registry = Registry.start();
        Registry locked = Registry.startRequiringAuth();
        CriImagePuller cri = new CriImagePuller(containerd.socket());
        ExporterProcess exporter =
            ExporterProcess.start(
                containerd.socket(),
                "--poll.interval=1s",
                "--poll.timeout=1s",
                "--pulls.log-file=" + containerd.daemonLog(),
                "--containerd.metrics-url=" + metricsUrl())) {
      registry.pushRandomImage("pulls/app:1", 4096);
      String registryHost = registry.address();
      Await.until(
          Duration.ofSeconds(20),
          "the log source's counters",
          exporter::scrape,
          m -> m.value("containerd_exporter_log_lines_total", "result", "parsed").isPresent());

      pull(cri, registry.reference("pulls/app:1"), Status.Code.OK);
      awaitCount(exporter, "containerd_image_pulls_total", 1, registryHost, "pulls/app", null);

      pull(cri, registry.reference("pulls/app:missing"), Status.Code.NOT_FOUND);
      awaitCount(exporter, FAILURES, 1, registryHost, "pulls/app", "not_found");

      String closed = "127.0.0.1:" + closedPort();
      pull(cri, closed + "/pulls/refused:1", Status.Code.UNKNOWN);
      awaitCount(exporter, FAILURES, 1, closed, "pulls/refused", "connection_refused");

      pull(cri, "registry.pulls.invalid/team/app:1", Status.Code.UNKNOWN);
      awaitCount(exporter, FAILURES, 1, "registry.pulls.invalid", "team/app", "dns");

      pull(cri, locked.reference("pulls/private:1"), Status.Code.UNKNOWN);
      awaitCount(exporter, FAILURES, 1, locked.address(), "pulls/private", "unauthorized");

      // containerd's own counters, re-exported, equal what its endpoint says now.
      Map<String, Double> containerdCodes = containerdPullRequestsByCode();
      assertEquals(Set.of("OK", "NotFound", "Unknown"), containerdCodes.keySet());
      Await.until(
          Duration.ofSeconds(10),
          "containerd_node_image_pull_requests_total equal to containerd's " + containerdCodes,
          () -> exporterPullRequestsByCode(exporter.scrape()),
          containerdCodes::equals);

      // logrotate's copytruncate: containerd keeps writing to the same (now empty) file.
      Files.copy(
          containerd.daemonLog(),
          containerd.daemonLog().resolveSibling("containerd.log.1"),
          StandardCopyOption.REPLACE_EXISTING);
      Files.write(containerd.daemonLog(), new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
      pull(cri, registry.reference("pulls/app:missing"), Status.Code.NOT_FOUND);
      awaitCount(exporter, FAILURES, 2, registryHost, "pulls/app", "not_found");

      // containerd restarted onto a new file (the old one renamed away, as a supervisor does).
      containerd.stopDaemon();
      Files.move(
          containerd.daemonLog(),
          containerd.daemonLog().resolveSibling("containerd.log.2"),
          StandardCopyOption.REPLACE_EXISTING);
      containerd.restartDaemon();
      pull(cri, registry.reference("pulls/app:missing"), Status.Code.NOT_FOUND);
      awaitCount(exporter, FAILURES, 3, registryHost, "pulls/app", "not_found");
      pull(cri, registry.reference("pulls/app:1"), Status.Code.OK);
      awaitCount(exporter, "containerd_image_pulls_total", 2, registryHost, "pulls/app", null);

      MetricsText scrape = exporter.scrape();
      // Two pulls, each seen in the log and as CRI's /images/create: counted once each.
      assertEquals(
          2.0,
          scrape
              .value(
                  "containerd_image_pulls_total",
                  "registry",
                  registryHost,
                  "repository",
                  "pulls/app")
              .orElseThrow(),
          pullLines(scrape));
      assertEquals(0.0, scrape.value(LOG_LINES, "result", "malformed").orElseThrow(), LOG_LINES);
      assertTrue(
          scrape
                  .value(
                      "containerd_image_pull_duration_seconds_count",
                      "containerd_namespace",
                      "k8s.io",
                      "result",
                      "failure")
                  .orElse(0.0)
              >= 5,
          "failure durations in:\n" + pullLines(scrape));
      assertEquals(
          0.0,
          scrape
              .value("containerd_image_pulls_in_progress", "containerd_namespace", "k8s.io")
              .orElseThrow());
      assertEveryPullFamilyIsExposed(scrape);
      Promtool.Result lint = Promtool.checkMetrics(scrape.text());
      assertEquals("", lint.output().strip(), "promtool check metrics");
      assertFalse(exporter.log().contains("Exception"), exporter.log());

      successFromEventsAlone(cri, registry);
    }
  }

  /**
   * Without a log source, a CRI pull's success still counts, once, from its /images/create events
   * (tag, image id and digest: only the tag is a pull).
   */
  private void successFromEventsAlone(CriImagePuller cri, Registry registry) {
    registry.pushRandomImage("pulls/events:1", 4096);
    try (ExporterProcess events = ExporterProcess.start(containerd.socket())) {
      Await.until(
          Duration.ofSeconds(20),
          "the event stream",
          events::scrape,
          m -> m.value("containerd_exporter_event_stream_up").orElse(0.0) == 1.0);
      pull(cri, registry.reference("pulls/events:1"), Status.Code.OK);
      awaitCount(
          events, "containerd_image_pulls_total", 1, registry.address(), "pulls/events", null);
      MetricsText m = events.scrape();
      assertEquals(
          1.0,
          m.samples("containerd_image_pulls_total").stream()
              .mapToDouble(MetricsText.Sample::value)
              .sum(),
          pullLines(m));
    }
  }

  private static final String FAILURES = "containerd_image_pull_failures_total";
  private static final String LOG_LINES = "containerd_exporter_log_lines_total";

  private static void pull(CriImagePuller cri, String reference, Status.Code expected) {
    CriImagePuller.Outcome outcome = cri.pull(reference);
    assertEquals(expected, outcome.code(), reference + ": " + outcome.message());
  }

  /** The series reaches {@code value} within {@link #COUNTED_WITHIN} of the call's answer. */
  private static void awaitCount(
      ExporterProcess exporter,
      String family,
      double value,
      String registry,
      String repository,
      String reason) {
    String[] labels =
        reason == null
            ? new String[] {
              "containerd_namespace", "k8s.io", "registry", registry, "repository", repository
            }
            : new String[] {
              "containerd_namespace",
              "k8s.io",
              "registry",
              registry,
              "repository",
              repository,
              "reason",
              reason
            };
    Await.until(
        COUNTED_WITHIN,
        family
            + "{registry="
            + registry
            + ",repository="
            + repository
            + ",reason="
            + reason
            + "} = "
            + value,
        () -> {
          MetricsText m = exporter.scrape();
          return m.value(family, labels).orElse(0.0) + " in:\n" + pullLines(m);
        },
        seen -> seen.startsWith(value + " "));
  }

  private static String pullLines(MetricsText m) {
    return m.text()
        .lines()
        .filter(
            l -> l.startsWith("containerd_image_pull") || l.startsWith("containerd_exporter_log"))
        .collect(Collectors.joining("\n"));
  }

  private String metricsUrl() {
    return "http://" + containerd.metricsAddress() + "/v1/metrics";
  }

  /** containerd's grpc_server_handled_total for CRI PullImage, by code, from its text format. */
  private Map<String, Double> containerdPullRequestsByCode() {
    try {
      String text =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(metricsUrl())).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      Map<String, Double> byCode = new TreeMap<>();
      for (MetricsText.Sample s : MetricsText.parse(text).samples("grpc_server_handled_total")) {
        if ("PullImage".equals(s.labels().get("grpc_method"))) {
          byCode.merge(s.labels().get("grpc_code"), s.value(), Double::sum);
        }
      }
      byCode.values().removeIf(v -> v == 0);
      return byCode;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Map<String, Double> exporterPullRequestsByCode(MetricsText m) {
    Map<String, Double> byCode = new TreeMap<>();
    for (MetricsText.Sample s : m.samples("containerd_node_image_pull_requests_total")) {
      if (s.value() != 0) {
        byCode.put(s.labels().get("grpc_code"), s.value());
      }
    }
    return byCode;
  }

  /**
   * Every documented pull family is on the scrape: what MetricsDocumentationIT leaves to this test.
   * containerd 1.6 has no CRI pull counter of its own, so containerd_node_image_pulls_total can't
   * appear here.
   */
  private void assertEveryPullFamilyIsExposed(MetricsText scrape) {
    Set<String> expected =
        MetricsTable.rows().stream()
            .filter(MetricsTable.Row::needsPullSource)
            .map(MetricsTable.Row::name)
            .filter(n -> !n.equals("containerd_node_image_pulls_total"))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> exposed =
        scrape.samples().stream()
            .map(s -> s.name().replaceAll("_(bucket|sum|count)$", ""))
            .collect(Collectors.toCollection(TreeSet::new));
    Set<String> missing = new TreeSet<>(expected);
    missing.removeAll(exposed);
    assertEquals(Set.of(), missing, "pull families documented but not exposed");
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
