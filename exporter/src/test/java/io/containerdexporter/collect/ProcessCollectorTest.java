package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.metrics.Snapshots;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import io.containerdexporter.proc.ProcessFiles;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fixture /proc tree: containerd, a shim serving a task, a leaked shim, another containerd's
 * shim, a shim of an unwatched namespace, and a shim started after the round's listing.
 */
class ProcessCollectorTest {

  private static final Path SOCKET = Path.of("/run/containerd/containerd.sock");
  private static final long BOOT = 1_700_000_000L;

  @TempDir Path proc;

  private void process(long pid, String cmdline, long rssKb, long ticks, long startTicks)
      throws IOException {
    Path dir = Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(dir.resolve("cmdline"), cmdline.replace(' ', '\0') + "\0");
    // comm with a space and a ')' to prove the split starts after the last ')'
    String fields3to13 = "S 1 1 1 0 -1 4194560 100 0 0 0";
    Files.writeString(
        dir.resolve("stat"),
        pid
            + " (odd) name) "
            + fields3to13
            + " "
            + ticks
            + " "
            + ticks
            + " 0 0 20 0 7 0 "
            + startTicks
            + " 1000 200 18446744073709551615\n");
    Files.writeString(
        dir.resolve("status"),
        "Name:\tx\nState:\tS (sleeping)\nVmRSS:\t   " + rssKb + " kB\nThreads:\t7\n");
    Path fd = Files.createDirectories(dir.resolve("fd"));
    for (int i = 0; i < 3; i++) {
      Files.createFile(fd.resolve(Integer.toString(i)));
    }
  }

  private static String shim(String ns, String id, String address) {
    return "/usr/bin/containerd-shim-runc-v2 -namespace "
        + ns
        + " -id "
        + id
        + " -address "
        + address;
  }

  private static PollScope scope(Instant at) {
    TaskInfo task = new TaskInfo("default", "alive", 300, TaskStatus.RUNNING, 0, Optional.empty());
    return new PollScope(
        new RoundView(
            at,
            List.of("default"),
            Map.of("default", RoundView.NamespaceView.of(List.of(), List.of(task))),
            RoundView.Listing.of(Map::of)));
  }

  private static double value(List<MetricSnapshot> out, String name, String... labels) {
    for (MetricSnapshot s : out) {
      if (s.getMetadata().getPrometheusName().equals(name)) {
        for (DataPointSnapshot p : s.getDataPoints()) {
          boolean match = true;
          for (int i = 0; i < labels.length; i += 2) {
            match &= labels[i + 1].equals(p.getLabels().get(labels[i]));
          }
          if (match) {
            return p instanceof GaugeSnapshot.GaugeDataPointSnapshot g
                ? g.getValue()
                : ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot)
                        p)
                    .getValue();
          }
        }
      }
    }
    throw new AssertionError("no " + name + " " + List.of(labels) + " in " + out);
  }

  private ProcessCollector collector(long pid) {
    return new ProcessCollector(
        () -> pid, new ProcessFiles(proc, new ReadErrors("procfs", "test")), SOCKET);
  }

  @Test
  void containerdAndItsShimsLeakedOnesToo() throws Exception {
    Files.writeString(proc.resolve("stat"), "cpu 1 2 3\nbtime " + BOOT + "\n");
    process(100, "/usr/bin/containerd", 51200, 150, 1000);
    process(200, shim("default", "alive", SOCKET.toString()), 8192, 10, 2000);
    process(201, shim("default", "gone", SOCKET.toString()), 4096, 20, 2000);
    process(202, shim("default", "x", "/tmp/other/containerd.sock"), 4096, 20, 2000);
    process(203, shim("unwatched", "y", SOCKET.toString()), 4096, 20, 2000);
    // started 1000 s after the round began: its task may not be listed yet
    process(204, shim("default", "new", SOCKET.toString()), 1024, 1, 2000 + 200_000);
    Instant round = Instant.ofEpochSecond(BOOT + 1000);

    List<MetricSnapshot> out = Snapshots.of(collector(100).collect(scope(round)));

    assertEquals(1, value(out, "containerd_process_visible"));
    assertEquals(3.0, value(out, "containerd_process_cpu_seconds"), 1e-9);
    assertEquals(51200 * 1024, value(out, "containerd_process_resident_memory_bytes"));
    assertEquals(3, value(out, "containerd_process_open_fds"));
    assertEquals(7, value(out, "containerd_process_threads"));
    assertEquals(BOOT + 10, value(out, "containerd_process_start_time_seconds"));
    String[] runc = {"containerd_namespace", "default", "runtime", "io.containerd.runc.v2"};
    assertEquals(3, value(out, "containerd_shims", runc));
    assertEquals(
        (8192 + 4096 + 1024) * 1024, value(out, "containerd_shims_resident_memory_bytes", runc));
    assertEquals((20 + 40 + 2) / 100.0, value(out, "containerd_shims_cpu_seconds", runc), 1e-9);
    assertEquals(1, value(out, "containerd_shims_leaked", runc));
    assertTrue(
        out.stream()
            .noneMatch(
                s ->
                    s.getDataPoints().stream()
                        .anyMatch(
                            p -> "unwatched".equals(p.getLabels().get("containerd_namespace")))));
  }

  @Test
  void theShimsFdsAreNotListedOnlyContainerds() throws Exception {
    Files.writeString(proc.resolve("stat"), "btime " + BOOT + "\n");
    process(100, "/usr/bin/containerd", 51200, 150, 1000);
    process(200, shim("default", "alive", SOCKET.toString()), 8192, 10, 2000);
    Path fd = proc.resolve("200").resolve("fd");
    try (var fds = Files.list(fd)) {
      for (Path f : fds.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(fd);
    Files.writeString(fd, ""); // listing it would fail, and be counted
    ReadErrors errors = new ReadErrors("procfs", "test");
    ProcessCollector collector =
        new ProcessCollector(() -> 100, new ProcessFiles(proc, errors), SOCKET);

    List<MetricSnapshot> out =
        Snapshots.of(collector.collect(scope(Instant.ofEpochSecond(BOOT + 1000))));

    String[] runc = {"containerd_namespace", "default", "runtime", "io.containerd.runc.v2"};
    assertEquals(1, value(out, "containerd_shims", runc));
    assertEquals(8192 * 1024, value(out, "containerd_shims_resident_memory_bytes", runc));
    assertEquals(3, value(out, "containerd_process_open_fds"), "containerd's own are counted");
    assertEquals(Map.of(), errors.snapshot(), "the shim's fd directory was never read");
  }

  @Test
  void saysPlainlyWhenContainerdIsNotVisible() throws Exception {
    Files.writeString(proc.resolve("stat"), "btime " + BOOT + "\n");
    process(200, shim("default", "gone", SOCKET.toString()), 4096, 20, 2000);

    List<MetricSnapshot> out =
        Snapshots.of(collector(4242).collect(scope(Instant.ofEpochSecond(BOOT + 1000))));

    assertEquals(0, value(out, "containerd_process_visible"));
    assertTrue(
        out.stream()
            .filter(s -> s.getMetadata().getPrometheusName().startsWith("containerd_shims"))
            .findAny()
            .isEmpty(),
        "no shim count that could be mistaken for zero");
  }

  /**
   * A containerd that does not report its pid is the holder of the listening socket. A search that
   * found no holder is not repeated for that socket; a restarted containerd (a new socket inode) is
   * searched for, and found.
   */
  @Test
  void anUnreportedPidIsTheSocketsHolderAndARestartIsFoundAgain() throws Exception {
    Files.writeString(proc.resolve("stat"), "btime " + BOOT + "\n");
    Path net = Files.createDirectories(proc.resolve("1").resolve("net"));
    process(100, "/usr/bin/containerd", 51200, 150, 1000);
    Instant round = Instant.ofEpochSecond(BOOT + 1000);
    ProcessCollector unreported = collector(0);

    listening(net, 555); // nobody holds it
    assertEquals(
        0, value(Snapshots.of(unreported.collect(scope(round))), "containerd_process_visible"));

    listening(net, 777);
    Files.delete(proc.resolve("100").resolve("fd").resolve("2"));
    Files.createSymbolicLink(
        proc.resolve("100").resolve("fd").resolve("2"), Path.of("socket:[777]"));
    List<MetricSnapshot> out = Snapshots.of(unreported.collect(scope(round)));

    assertEquals(1, value(out, "containerd_process_visible"));
    assertEquals(51200 * 1024, value(out, "containerd_process_resident_memory_bytes"));
  }

  private static void listening(Path net, long inode) throws IOException {
    Files.writeString(
        net.resolve("unix"),
        "Num       RefCount Protocol Flags    Type St Inode Path\n"
            + "0000: 00000002 00000000 00010000 0001 01 "
            + inode
            + " "
            + SOCKET
            + "\n");
  }
}
