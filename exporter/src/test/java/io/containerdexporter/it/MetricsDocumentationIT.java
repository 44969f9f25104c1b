package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.cri.CriClient;
import io.containerdexporter.docs.MetricsTable;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * docs/metrics.md against a live scrape: a workload that makes every family appear (every collector
 * on, an exit, an OOM, a Kubernetes container restart), then the set of exposed families must equal
 * the documented set, and promtool must have nothing to say about the scrape.
 */
@ExtendWith(ContainerdExtension.class)
class MetricsDocumentationIT {

  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;

  private final ContainerdSandbox containerd;

  MetricsDocumentationIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @Test
  void everyDocumentedFamilyIsExposedAndNothingElse() {
    containerd.createNamespace("docs");
    containerd.importBusybox("docs", BUSYBOX);
    try (ExporterProcess exporter =
        ExporterProcess.start(
            containerd.socket(),
            "--poll.interval=1s",
            "--poll.timeout=1s",
            "--collector.image-info")) {
      Await.until(
          Duration.ofSeconds(10),
          "the event stream",
          exporter::scrape,
          m -> m.value("containerd_exporter_event_stream_up").orElse(0.0) == 1.0);
      containerd.run(
          "docs",
          "runs",
          BUSYBOX,
          RunOptions.builder().cpuQuota(50_000, 100_000).build(),
          "sleep",
          "100000");
      containerd.run("docs", "exits", BUSYBOX, RunOptions.DEFAULTS, "sh", "-c", "exit 1");
      // Direct I/O, so cgroup v1's blkio charges it to the task (buffered writeback would be
      // charged to the root).
      containerd.run(
          "docs",
          "writes",
          BUSYBOX,
          RunOptions.DEFAULTS,
          "sh",
          "-c",
          "dd if=/dev/zero of=/data bs=1048576 count=4 oflag=direct; dd if=/data of=/dev/null bs=1048576 iflag=direct;"
              + " exec sleep 100000");
      containerd.run(
          "docs",
          "ooms",
          BUSYBOX,
          RunOptions.builder().memoryLimitBytes(8L << 20).build(),
          "sh",
          "-c",
          "x=a; while :; do x=$x$x; done");
      containerd.run("docs", "networked", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
      try (CriClient pod = KubernetesRestart.restartOnce(containerd);
          Veth veth =
              Veth.into(
                  containerd.tasks("docs").stream()
                      .filter(t -> t.id().equals("networked"))
                      .findFirst()
                      .orElseThrow()
                      .pid())) {
        assertEveryDocumentedFamilyIsExposed(exporter);
      }
    }
  }

  private static void assertEveryDocumentedFamilyIsExposed(ExporterProcess exporter) {
    // This host is cgroup v1: the v2-only families can't appear here (the fixtures and golden tests
    // cover them).
    boolean v2 = Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    boolean blockIo = hostChargesBlockIoToCgroups();
    // A healthy host has no cgroup read errors, so that family has no series
    // (CgroupReaderMalformedTest covers it).
    Set<String> documented =
        MetricsTable.rows().stream()
            .filter(r -> v2 || !r.cgroupV2Only())
            .filter(r -> blockIo || !r.needsBlockIoAccounting())
            .filter(r -> !r.onlyAfterAnError())
            .filter(r -> !r.needsPullSource())
            .map(MetricsTable.Row::name)
            .collect(Collectors.toCollection(TreeSet::new));
    Await.until(
        Duration.ofSeconds(20),
        "every documented family on /metrics (showing the missing ones)",
        () -> {
          Set<String> missing = new TreeSet<>(documented);
          missing.removeAll(exposedFamilies(exporter.scrape()));
          return missing;
        },
        Set::isEmpty);
    MetricsText scrape = exporter.scrape();
    Set<String> exposed = exposedFamilies(scrape);
    if (!v2) {
      MetricsTable.rows().stream()
          .filter(MetricsTable.Row::cgroupV2Only)
          .forEach(r -> exposed.remove(r.name()));
    }
    assertEquals(documented, exposed, "docs/metrics.md vs. the live scrape");

    Promtool.Result lint = Promtool.checkMetrics(scrape.text());
    assertEquals("", lint.output().strip(), "promtool check metrics");
    assertEquals(0, lint.exitCode());
  }

  /**
   * A veth pair with one end ("eth0") inside a task's network namespace: a real interface for the
   * network families without a CNI. Deleting the host end deletes both.
   */
  private record Veth(String hostEnd) implements AutoCloseable {
    static Veth into(long pid) {
      String hostEnd = "cedoc" + pid;
      run(
          "ip",
          "link",
          "add",
          hostEnd,
          "type",
          "veth",
          "peer",
          "name",
          "eth0",
          "netns",
          Long.toString(pid));
      run("nsenter", "-t", Long.toString(pid), "-n", "ip", "link", "set", "eth0", "up");
      run("ip", "link", "set", hostEnd, "up");
      return new Veth(hostEnd);
    }

    @Override
    public void close() {
      run("ip", "link", "del", hostEnd);
    }

    private static void run(String... command) {
      try {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
          throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /**
   * Whether the kernel charges block I/O to cgroups at all: this test VM's does not (the root
   * cgroup's blkio statistics stay at "Total 0" whatever is written), so the block I/O families are
   * proven on fixtures there.
   */
  private static boolean hostChargesBlockIoToCgroups() {
    try {
      Path root = Path.of("/sys/fs/cgroup/blkio/blkio.throttle.io_service_bytes_recursive");
      if (Files.exists(root)) {
        return !Files.readString(root).strip().equals("Total 0");
      }
      return Files.exists(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    } catch (java.io.IOException e) {
      return false;
    }
  }

  /**
   * Families with at least one sample, by the name in their TYPE line; the documented jvm_/process_
   * groups aside.
   */
  private static Set<String> exposedFamilies(MetricsText m) {
    Set<String> prefixes = MetricsTable.wildcardPrefixes();
    Set<String> withSamples =
        m.samples().stream().map(MetricsText.Sample::name).collect(Collectors.toSet());
    Set<String> exposed = new TreeSet<>();
    for (String line : m.text().split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String family = line.split(" ")[2];
        boolean hasSamples =
            withSamples.stream().anyMatch(s -> s.equals(family) || s.startsWith(family + "_"));
        if (hasSamples && prefixes.stream().noneMatch(family::startsWith)) {
          exposed.add(family);
        }
      }
    }
    return exposed;
  }
}
