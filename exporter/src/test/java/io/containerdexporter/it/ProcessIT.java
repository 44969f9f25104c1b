package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The process collector on the real daemon: containerd's RSS and fd count equal its own /proc files
 * within a few percent, and its shims are one per running task (ctr starts one per task).
 */
@ExtendWith(ContainerdExtension.class)
class ProcessIT {

  private static final String NS = "proc";

  private final ContainerdSandbox containerd;

  ProcessIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  private long rssBytes() throws IOException {
    return Files.readAllLines(Path.of("/proc", Long.toString(containerd.daemonPid()), "status"))
            .stream()
            .filter(l -> l.startsWith("VmRSS:"))
            .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
            .findFirst()
            .orElseThrow()
        * 1024;
  }

  private long openFds() throws IOException {
    try (Stream<Path> fds =
        Files.list(Path.of("/proc", Long.toString(containerd.daemonPid()), "fd"))) {
      return fds.count();
    }
  }

  @Test
  void containerdAndItsShimsAsProcSeesThem() throws Exception {
    containerd.createNamespace(NS);
    containerd.importBusybox(NS, ContainerdSandbox.BUSYBOX_IMAGE);
    for (String id : new String[] {"a", "b"}) {
      containerd.run(
          NS, id, ContainerdSandbox.BUSYBOX_IMAGE, RunOptions.DEFAULTS, "sleep", "100000");
    }
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s")) {
      MetricsText m =
          Await.until(
              Duration.ofSeconds(30),
              "two shims in " + NS,
              exporter::scrape,
              s -> s.value("containerd_shims", "containerd_namespace", NS).orElse(0.0) == 2.0);
      assertEquals(1.0, m.value("containerd_process_visible").orElseThrow());
      double rss = m.value("containerd_process_resident_memory_bytes").orElseThrow();
      assertEquals(rssBytes(), rss, rss * 0.05, "RSS vs /proc/PID/status, within 5 %");
      double fds = m.value("containerd_process_open_fds").orElseThrow();
      assertEquals(openFds(), fds, Math.max(3, fds * 0.05), "fds vs /proc/PID/fd");
      assertEquals(
          0.0, m.value("containerd_shims_leaked", "containerd_namespace", NS).orElseThrow());
      assertEquals(
          1.0,
          m.samples("containerd_shims").stream()
              .filter(s -> s.labels().get("containerd_namespace").equals(NS))
              .filter(s -> s.labels().get("runtime").equals("io.containerd.runc.v2"))
              .count());
    }
  }
}
