package io.containerdexporter.golden;

import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.MetricsText;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * How the exporter's cost grows with the number of tasks: a fake containerd with N containers and
 * running tasks (over 10 namespaces, CRI labels), the exporter in-process, then the poll duration,
 * scrape latency (p50/p99 of 200 scrapes), exposition size and heap after a GC. Not a test (figures
 * are not asserted): `scripts/bench` runs it and writes docs/benchmarks.md.
 */
public final class ScrapeBenchmark {

  private ScrapeBenchmark() {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
    List<String> rows = new ArrayList<>();
    for (int tasks : new int[] {100, 1000, 5000}) {
      rows.add(run(tasks));
    }
    String table = String.join("\n", rows);
    Files.writeString(
        out,
        """
        # Benchmarks

        Written by `scripts/bench` (exporter/src/test/java/io/containerdexporter/golden/ScrapeBenchmark.java) on %s,
        on this project's build machine (2 cores, 24 GiB), JVM %s, default heap settings.

        A fake containerd gRPC server over a unix socket holds N containers with running tasks in 10 namespaces,
        with Kubernetes (CRI) labels; the exporter runs in-process against it with every default collector on. Task
        stats read an empty cgroupfs here, so the figures are the containerd side of the cost (listing, labels, events
        state) plus exposition; reading cgroup files adds a few small file reads per task per poll. The heap figure
        is the whole JVM's, the fake server's inventory included, so it is an upper bound for the exporter's.

        **Its series count is not realistic.** The cgroupfs here is empty, so the per-task cAdvisor families (CPU,
        memory, threads, block I/O, network, writable layer: dozens of series per task on a real node) are not in these
        scrapes; a real node's exposition is several times larger than the "series" and "exposition" columns say, and its
        scrape latency grows with it. docs/performance.md (the performance issue) replaces this page with figures from
        real cgroups.

        | tasks | start to first full scrape (s) | scrape p50 (ms) | scrape p99 (ms) | exposition (KiB) | series | heap after GC (MiB) |
        |---|---|---|---|---|---|---|
        %s

        A scrape only hands over what the poll rendered, so its latency grows with the exposition's size, not with
        containerd's latency; the poll runs in the background every --poll.interval.
        """
            .formatted(Instant.now(), System.getProperty("java.version"), table));
    System.out.println(Files.readString(out));
  }

  private static String run(int tasks) throws Exception {
    try (FakeContainerd containerd = new FakeContainerd()) {
      for (int i = 0; i < tasks; i++) {
        String ns = "ns-" + (i % 10);
        String id = String.format("c%05d", i);
        FakeNamespace n = containerd.namespace(ns);
        n.container(
            id,
            "registry.example/app:" + (i % 7),
            Map.of(
                "io.cri-containerd.kind",
                "container",
                "io.kubernetes.pod.namespace",
                "team-" + (i % 20),
                "io.kubernetes.pod.name",
                "pod-" + i,
                "io.kubernetes.container.name",
                "app",
                "io.kubernetes.pod.uid",
                "uid-" + i),
            FakeNamespace.spec("/kubepods/pod" + i + "/" + id, Map.of()));
        n.task(id, 100_000 + i, Status.RUNNING);
      }
      containerd.start();
      long start = System.nanoTime();
      try (InProcessExporter exporter =
          InProcessExporter.start(containerd.socket(), "--poll.interval=1h", "--poll.timeout=1h")) {
        MetricsText m;
        do {
          m = exporter.scrape();
        } while (m.value("containerd_containers", "containerd_namespace", "ns-0").orElse(0.0)
                < tasks / 10
            || m.samples("container_oom_events_total").size() < tasks);
        double firstPoll = (System.nanoTime() - start) / 1e9;
        List<Double> latencies = new ArrayList<>();
        int bytes = 0;
        int series = 0;
        for (int i = 0; i < 200; i++) {
          long t = System.nanoTime();
          InProcessExporter.Response r = exporter.get("/metrics");
          latencies.add((System.nanoTime() - t) / 1e6);
          bytes = r.body().length();
          series = (int) r.body().lines().filter(l -> !l.startsWith("#")).count();
        }
        Collections.sort(latencies);
        System.gc();
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        return String.format(
            "| %d | %.2f | %.1f | %.1f | %d | %d | %.0f |",
            tasks,
            firstPoll,
            latencies.get(99),
            latencies.get(197),
            bytes / 1024,
            series,
            heap / 1048576.0);
      }
    }
  }
}
