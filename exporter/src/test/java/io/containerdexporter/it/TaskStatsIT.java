package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The truth test: for tasks that burned CPU and hold memory, the exporter's cAdvisor families equal
 * the task's cgroup files read at the same moment and containerd's own /v1/metrics, and the spec
 * families equal the limits given.
 */
@ExtendWith(ContainerdExtension.class)
class TaskStatsIT {

  private static final String NS = "stats";
  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  private static final long LIMIT = 64L << 20;

  private final ContainerdSandbox containerd;

  TaskStatsIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  /**
   * This host is cgroup v1 (hybrid); the cgroup v2 reader is proven on fixtures and in the QEMU
   * guest.
   */
  private static long cgroupValue(String controller, String file) {
    return cgroupValue("worker", controller, file);
  }

  private static long cgroupValue(String container, String controller, String file) {
    for (String dir : new String[] {controller, "cpu,cpuacct", "cpuacct,cpu"}) {
      Path p = Path.of("/sys/fs/cgroup", dir, NS, container, file);
      if (Files.exists(p)) {
        try {
          return Long.parseLong(Files.readString(p).trim());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
    throw new AssertionError("no " + controller + "/" + file + " for the task");
  }

  private static List<Long> procs() {
    try {
      return Files.readAllLines(Path.of("/sys/fs/cgroup/pids", NS, "worker", "cgroup.procs"))
          .stream()
          .map(Long::parseLong)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long fdCount(long pid) {
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long socketCount(long pid) {
    try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.filter(fd -> readLink(fd).startsWith("socket:[")).count();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String readLink(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return ""; // closed meanwhile
    }
  }

  /** {@code stat -f} of a path: the kernel's statfs, total and free inodes. */
  private static long[] statfsInodes(Path path) {
    try {
      Process stat =
          new ProcessBuilder("stat", "-f", "-c", "%c %d", path.toString())
              .redirectErrorStream(true)
              .start();
      String[] parts = new String(stat.getInputStream().readAllBytes()).trim().split(" ");
      stat.waitFor();
      return new long[] {Long.parseLong(parts[0]), Long.parseLong(parts[1])};
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static long maxOpenFilesSoft(long pid) {
    try {
      String line =
          Files.readAllLines(Path.of("/proc", Long.toString(pid), "limits")).stream()
              .filter(l -> l.startsWith("Max open files"))
              .findFirst()
              .orElseThrow();
      return Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long memoryStat(String key) {
    try {
      return Files.readAllLines(Path.of("/sys/fs/cgroup/memory", NS, "worker", "memory.stat"))
          .stream()
          .filter(l -> l.startsWith(key + " "))
          .mapToLong(l -> Long.parseLong(l.split(" ")[1]))
          .findFirst()
          .orElseThrow();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private MetricsText containerdOwnMetrics() {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(
                          URI.create("http://" + containerd.metricsAddress() + "/v1/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      return MetricsText.parse(r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void valuesEqualTheCgroupFilesAndContainerdsOwnMetrics() {
    containerd.createNamespace(NS);
    containerd.importBusybox(NS, BUSYBOX);
    // Burns CPU for a while, fills 16 MiB of tmpfs (page cache), then sits still: a quiescent
    // moment to compare at.
    containerd.run(
        NS,
        "worker",
        BUSYBOX,
        RunOptions.builder().memoryLimitBytes(LIMIT).cpuQuota(50_000, 100_000).build(),
        "sh",
        "-c",
        "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; head -c 16777216 /dev/zero > /dev/shm/hold; "
            + "touch /tmp/done; exec sleep 100000");
    // No CPU limit: ctr writes no period into the spec, the kernel has one all the same (issue 18
    // §3).
    containerd.run(NS, "idle", BUSYBOX, RunOptions.DEFAULTS, "sleep", "100000");
    Await.until(
        Duration.ofSeconds(60),
        "the worker to finish burning",
        () -> containerd.exec(NS, "worker", "probe", "test", "-f", "/tmp/done").exitCode(),
        code -> code == 0);

    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s")) {
      MetricsText m =
          Await.until(
              Duration.ofSeconds(10),
              "stats of the worker",
              exporter::scrape,
              s ->
                  s.value("container_cpu_usage_seconds_total", "name", "worker").isPresent()
                      && s.value("container_processes", "name", "worker").isPresent());
      double cpu = m.value("container_cpu_usage_seconds_total", "name", "worker").orElseThrow();
      long cpuFile = cgroupValue("cpuacct", "cpuacct.usage");
      assertTrue(cpu > 0.1, "the loop burned CPU: " + cpu);
      assertEquals(cpuFile / 1e9, cpu, cpuFile / 1e9 * 0.01, "CPU vs cpuacct.usage, within 1 %");

      long usage = cgroupValue("memory", "memory.usage_in_bytes");
      assertEquals(
          Optional.of((double) usage), m.value("container_memory_usage_bytes", "name", "worker"));
      assertEquals(
          Optional.of((double) Math.max(0, usage - memoryStat("total_inactive_file"))),
          m.value("container_memory_working_set_bytes", "name", "worker"));
      assertTrue(
          m.value("container_memory_cache", "name", "worker").orElseThrow() >= 16 << 20,
          "the 16 MiB in /dev/shm is page cache");
      assertEquals(
          Optional.of((double) cgroupValue("pids", "pids.current")),
          m.value("container_threads", "name", "worker"));

      // The issue-15 families against the kernel's own files of the same task.
      List<Long> pids = procs();
      assertEquals(
          Optional.of((double) pids.size()), m.value("container_processes", "name", "worker"));
      assertEquals(
          Optional.of((double) pids.stream().mapToLong(TaskStatsIT::fdCount).sum()),
          m.value("container_file_descriptors", "name", "worker"),
          "fds = entries of /proc/PID/fd over cgroup.procs (the shell sleeps: nothing opens any)");
      assertEquals(
          Optional.of((double) pids.stream().mapToLong(TaskStatsIT::socketCount).sum()),
          m.value("container_sockets", "name", "worker"),
          "sockets = fd links to socket:[…] over cgroup.procs");
      long[] inodes = statfsInodes(containerd.root());
      assertEquals(
          Optional.of((double) inodes[0]),
          m.value("container_fs_inodes_total", "name", "worker"),
          "inodes of the filesystem under the snapshotter = statfs");
      assertEquals(
          inodes[1],
          m.value("container_fs_inodes_free", "name", "worker").orElseThrow(),
          Math.max(1000, inodes[1] * 0.01),
          "free inodes = statfs (other engineers' files come and go)");
      assertEquals(
          Optional.of((double) maxOpenFilesSoft(pids.get(0))),
          m.value("container_ulimits_soft", "name", "worker", "ulimit", "max_open_files"));
      assertEquals(
          Optional.of((double) memoryStat("pgfault")),
          m.value(
              "container_memory_failures_total",
              "name",
              "worker",
              "failure_type",
              "pgfault",
              "scope",
              "container"),
          "pgfault only rises while the task touches new pages: it sleeps");
      assertEquals(
          Optional.of((double) memoryStat("total_active_file")),
          m.value("container_memory_total_active_file_bytes", "name", "worker"));
      assertEquals(
          Optional.of(
              (double) cgroupValue("memory", "memory.soft_limit_in_bytes") >= (1L << 62)
                  ? 0.0
                  : (double) cgroupValue("memory", "memory.soft_limit_in_bytes")),
          m.value("container_spec_memory_reservation_limit_bytes", "name", "worker"));
      assertEquals(
          Optional.of(1.0),
          m.value("containerd_container_task_status", "name", "worker", "status", "running"));

      MetricsText own = containerdOwnMetrics();
      assertEquals(
          own.value("container_cpu_total_nanoseconds", "container_id", "worker").orElseThrow()
              / 1e9,
          cpu,
          cpu * 0.01,
          "CPU vs containerd's /v1/metrics");
      assertEquals(
          own.value("container_memory_usage_usage_bytes", "container_id", "worker"),
          m.value("container_memory_usage_bytes", "name", "worker"),
          "memory vs containerd's /v1/metrics");

      assertEquals(
          Optional.of((double) LIMIT),
          m.value("container_spec_memory_limit_bytes", "name", "worker"));
      assertEquals(Optional.of(50_000.0), m.value("container_spec_cpu_quota", "name", "worker"));
      assertEquals(Optional.of(100_000.0), m.value("container_spec_cpu_period", "name", "worker"));
      assertEquals(
          Optional.empty(),
          m.value("container_spec_cpu_quota", "name", "idle"),
          "no limit, no quota");
      assertEquals(
          Optional.of((double) cgroupValue("idle", "cpu", "cpu.cfs_period_us")),
          m.value("container_spec_cpu_period", "name", "idle"),
          "no period in the spec: the kernel's, as cAdvisor");
      MetricsText.Sample labels =
          m.samples("container_memory_usage_bytes").stream()
              .filter(s -> s.labels().get("name").equals("worker"))
              .findFirst()
              .orElseThrow();
      assertEquals("/" + NS + "/worker", labels.labels().get("id"));
      assertEquals(NS, labels.labels().get("containerd_namespace"));
      assertEquals(BUSYBOX, labels.labels().get("image"));
      assertEquals(
          Optional.of(0.0),
          m.value("containerd_exporter_collector_success", "collector", "task-stats")
              .map(v -> 1.0 - v),
          "the task-stats collector succeeded");
    }
  }
}
