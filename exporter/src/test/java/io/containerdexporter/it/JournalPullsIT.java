package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The journald source on a real journal file. PID 1 here is not systemd, so the test writes the
 * journal itself the way systemd-journald would have for containerd.service: export-format entries
 * with {@code _SYSTEMD_UNIT=containerd.service} turned into a journal file by {@code
 * systemd-journal-remote}; the exporter jar follows it through {@code journalctl --directory}. No
 * containerd is needed: the exporter serves the pull families while containerd is unreachable.
 */
class JournalPullsIT {

  private static final Path JOURNAL_REMOTE = Path.of("/lib/systemd/systemd-journal-remote");

  @Test
  void pullLinesOfContainerdsUnitAreCountedOldOnesAndOtherUnitsNot() throws Exception {
    Path dir = Files.createTempDirectory("pulls-journal-");
    try {
      Path journal = dir.resolve("containerd.journal");
      Instant t = Instant.now().truncatedTo(ChronoUnit.MILLIS);
      // Before the exporter starts: never counted.
      write(journal, entry("containerd.service", t, failed("old.example/a:1", "not found")));
      try (ExporterProcess exporter =
          ExporterProcess.start(
              dir.resolve("no-containerd.sock"),
              "--pulls.journal-unit=containerd",
              "--pulls.journal-directory=" + dir)) {
        Await.until(
            Duration.ofSeconds(20),
            "the journal source's counters",
            exporter::scrape,
            m -> m.value("containerd_exporter_log_lines_total", "result", "parsed").isPresent());
        awaitFollowing(journal, exporter, t);
        write(
            journal,
            entry(
                    "containerd.service",
                    t.plusMillis(1),
                    "time=\"" + t + "\" level=info msg=\"PullImage \\\"r.example/team/app:1\\\"\"")
                + entry(
                    "containerd.service",
                    t.plusMillis(2),
                    failed("r.example/team/app:1", "dial tcp: lookup r.example: no such host"))
                + entry(
                    "kubelet.service", t.plusMillis(3), failed("r.example/team/app:1", "not found"))
                + entry("containerd.service", t.plusMillis(4), "level=info msg=\"unterminated"));
        MetricsText m =
            Await.until(
                Duration.ofSeconds(10),
                "the failure from the journal",
                exporter::scrape,
                s ->
                    s.value("containerd_exporter_log_lines_total", "result", "malformed")
                            .orElse(0.0)
                        == 1.0);
        assertEquals(
            1.0,
            m.value(
                    "containerd_image_pull_failures_total",
                    "containerd_namespace",
                    "k8s.io",
                    "registry",
                    "r.example",
                    "repository",
                    "team/app",
                    "reason",
                    "dns")
                .orElseThrow(),
            m.text());
        assertEquals(
            2.0, m.value("containerd_exporter_log_lines_total", "result", "parsed").orElseThrow());
        assertEquals(
            1.0,
            m.value("containerd_image_pull_duration_seconds_count", "result", "failure")
                .orElseThrow());
        assertEquals(
            Stream.of("r.example").toList(),
            m.samples("containerd_image_pull_failures_total").stream()
                .map(s -> s.labels().get("registry"))
                .toList(),
            "the line from before the start and kubelet's line are not counted");
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * journalctl --follow starts at the journal's end, some time after the exporter answers: write an
   * unrelated containerd line until one is seen (counted ignored), so the next ones are read.
   */
  private static void awaitFollowing(Path journal, ExporterProcess exporter, Instant t)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      write(journal, entry("containerd.service", t, "level=info msg=\"loading plugin\""));
      try {
        Await.until(
            Duration.ofSeconds(1),
            "journalctl to follow",
            exporter::scrape,
            m ->
                m.value("containerd_exporter_log_lines_total", "result", "ignored").orElse(0.0)
                    > 0);
        return;
      } catch (AssertionError notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
      }
    }
  }

  private static String failed(String ref, String error) {
    return "level=error msg=\"PullImage \\\"" + ref + "\\\" failed\" error=\"" + error + "\"";
  }

  /** One entry in systemd's journal export format, as journald records a unit's stderr line. */
  private static String entry(String unit, Instant at, String message) {
    long micros = at.getEpochSecond() * 1_000_000 + at.getNano() / 1000;
    return "__REALTIME_TIMESTAMP="
        + micros
        + "\n"
        + "__MONOTONIC_TIMESTAMP="
        + micros
        + "\n"
        + "_BOOT_ID=0123456789abcdef0123456789abcdef\n"
        + "_HOSTNAME=node-1\n"
        + "_SYSTEMD_UNIT="
        + unit
        + "\n"
        + "PRIORITY=6\n"
        + "MESSAGE="
        + message
        + "\n\n";
  }

  private static void write(Path journal, String export) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(JOURNAL_REMOTE.toString(), "--output=" + journal, "-")
            .redirectErrorStream(true)
            .start();
    try (OutputStream in = p.getOutputStream()) {
      in.write(export.getBytes(StandardCharsets.UTF_8));
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "systemd-journal-remote: " + out);
  }
}
