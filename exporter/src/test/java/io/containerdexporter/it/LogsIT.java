package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.logging.LogfmtFormatterTest;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The real jar's log against a real containerd: logfmt only, debug shows our decisions, an outage
 * is quiet.
 */
@ExtendWith(ContainerdExtension.class)
class LogsIT {

  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;

  private final ContainerdSandbox containerd;

  LogsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @AfterEach
  void containerdRuns() {
    if (!containerd.daemonRunning()) {
      containerd.restartDaemon();
    }
  }

  private static boolean settled(MetricsText m) {
    return m.value("containerd_up").equals(Optional.of(1.0))
        && m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
        && m.value("containerd_exporter_collector_success", "collector", "writable-layer")
            .equals(Optional.of(1.0));
  }

  @Test
  void atDebugTheLogShowsPollRoundsSubscriptionsReconcilesAndLookupsAndIsLogfmtOnly() {
    containerd.importBusybox("logs", BUSYBOX);
    containerd.run("logs", "early", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--log.level=debug", "--poll.interval=1s")) {
      Await.until(
          Duration.ofSeconds(20),
          "containerd up, events up, writable-layer ok",
          exporter::scrape,
          LogsIT::settled);
      containerd.run("logs", "late", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
      List<String> expected =
          List.of(
              "source=Poller msg=\"poll round: containerd namespaces [logs]\"",
              "source=Poller msg=\"collector task-stats: ",
              "source=EventSubscriber msg=\"subscribing to containerd's events",
              "source=EventSubscriber msg=\"event stream established\"",
              "source=EventSubscriber msg=\"reconciled the event counters with containerd's tasks (first subscription",
              "source=EventSubscriber msg=\"container logs/late created: looked up its labels\"");
      Await.until(
          Duration.ofSeconds(10),
          "every kind of debug line (showing the missing ones)",
          () -> expected.stream().filter(e -> !exporter.log().contains(e)).toList(),
          List::isEmpty);
      assertLogfmtOnly(exporter.log());
    }
  }

  @Test
  void whileContainerdIsDownTheLogIsOneLinePerCauseAndOneStreamLost() throws InterruptedException {
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s")) {
      Await.until(
          Duration.ofSeconds(20), "containerd up, events up", exporter::scrape, LogsIT::settled);
      int before = exporter.log().length();
      containerd.killDaemon();
      Thread.sleep(4_000); // several retries, several poll rounds
      List<String> outage = warnings(exporter.log().substring(before));
      containerd.restartDaemon();
      Await.until(Duration.ofSeconds(20), "containerd up again", exporter::scrape, LogsIT::settled);

      List<String> retries =
          outage.stream().filter(l -> l.contains("source=ConnectionMonitor")).toList();
      List<String> others =
          outage.stream().filter(l -> !l.contains("source=ConnectionMonitor")).toList();
      // 4 s is 4-5 retries (250 ms doubling); the monitor warns once per cause: the broken
      // connection's first failure may read differently from the refused socket after it.
      assertTrue(
          !retries.isEmpty() && retries.size() <= 2,
          "the monitor says so once per cause, not per retry: " + outage);
      assertTrue(retries.get(0).contains("; retry 1 in "), retries.get(0));
      for (int i = 1; i < retries.size(); i++) {
        assertTrue(
            !cause(retries.get(i)).equals(cause(retries.get(i - 1))),
            "the same cause twice in a row: " + retries);
      }
      assertEquals(
          1,
          others.size(),
          "besides the retries, only the loss of the stream that was up: " + outage);
      assertTrue(
          others.get(0).contains("source=EventSubscriber msg=\"event stream lost"), others.get(0));
      assertLogfmtOnly(exporter.log());
    }
  }

  /**
   * A read-only root filesystem with only /tmp writable (a private mount namespace: `/` remounted
   * read-only, so HOME is unwritable too): the exporter starts, oshi's JNA loads from /tmp, and
   * nothing complains.
   */
  @Test
  void nothingIsWrittenOutsideTmp() throws Exception {
    String readOnlyRoot = "mount --bind /tmp /tmp && mount -o remount,bind,ro / && exec \"$@\"";
    List<String> wrapper =
        List.of("unshare", "--mount", "--propagation", "private", "sh", "-c", readOnlyRoot, "sh");
    Process probe =
        new ProcessBuilder(
                Stream.concat(
                        wrapper.stream(),
                        Stream.of(
                            "sh", "-c", "touch " + System.getProperty("user.home") + "/.ro-probe"))
                    .toList())
            .redirectErrorStream(true)
            .start();
    assertNotEquals(0, probe.waitFor(), "HOME must be unwritable under the wrapper");

    Path jna = Path.of(System.getProperty("java.io.tmpdir"), "containerd-exporter-jna");
    try {
      Files.deleteIfExists(jna); // only if empty: JNA deletes its library again once loaded
    } catch (java.nio.file.DirectoryNotEmptyException inUse) {
      // another exporter's; its existence then proves less, the rest of the test still holds
    }
    containerd.importBusybox("ro", BUSYBOX);
    containerd.run("ro", "sleeper", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
    try (ExporterProcess exporter =
        ExporterProcess.startUnder(wrapper, containerd.socket(), "--poll.interval=1s")) {
      MetricsText m =
          Await.until(
              Duration.ofSeconds(30),
              "containerd up, events up, writable-layer ok",
              exporter::scrape,
              LogsIT::settled);
      assertTrue(
          m.samples("container_fs_limit_bytes").stream()
              .anyMatch(s -> "/".equals(s.labels().get("id"))),
          "the node's filesystems, read by oshi");
      assertTrue(
          Files.isDirectory(jna),
          "JNA unpacked its library under " + jna + " (and deleted it once loaded)");
      // A first poll can overrun its timeout on a loaded machine: that is load, not the read-only
      // root.
      assertEquals(
          List.of(),
          warnings(exporter.log()).stream()
              .filter(l -> !l.contains("did not finish within --poll.timeout"))
              .toList(),
          "no warning under a read-only root");
      assertLogfmtOnly(exporter.log());
    }
  }

  private static List<String> warnings(String log) {
    return log.lines()
        .filter(l -> l.contains(" level=warn ") || l.contains(" level=error "))
        .toList();
  }

  private static void assertLogfmtOnly(String log) {
    assertTrue(!log.isBlank(), "a log at all");
    for (String line : log.split("\n")) {
      assertTrue(LogfmtFormatterTest.LOGFMT_LINE.matcher(line).matches(), "not logfmt: " + line);
    }
  }

  /** What a monitor warning says is wrong, without its retry count. */
  private static String cause(String warning) {
    return warning.replaceAll("; retry \\d+ in \\d+ms.*", "");
  }
}
