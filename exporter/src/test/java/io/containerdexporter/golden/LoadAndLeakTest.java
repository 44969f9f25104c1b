package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.cgroup.CgroupFixtures;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.it.MetricsText;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Load and leaks: 64 concurrent scrapers against an exporter whose snapshot holds 1000 running
 * tasks (a fake containerd, a cgroup v1 fixture tree per task), then fds, threads and heap after a
 * full GC must be back at their level before the load (within a small constant). Every answer is a
 * 200 or the configured 503 overload answer.
 *
 * <p>The full run (1000 tasks, 10 000 scrapes: about 30 min on this 2-core machine, as a
 * scrape of 1000 tasks is 31 000 series) is {@code -Dload.full=true}; the default suite runs the
 * same shape at {@value #DEFAULT_TASKS} tasks and {@value #DEFAULT_SCRAPES} scrapes. The
 * measurements go to stdout (the test report) and to target/load-and-leaks.md.
 */
class LoadAndLeakTest {

  static final boolean FULL = Boolean.getBoolean("load.full");
  static final int DEFAULT_TASKS = 100;
  static final int DEFAULT_SCRAPES = 640;
  static final int TASKS = FULL ? 1000 : DEFAULT_TASKS;
  static final int SCRAPERS = 64;

  /** Slack for what a JVM grows on its own (JIT, a GC thread, a lazily opened jar). */
  static final int FD_SLACK = 8;

  static final int THREAD_SLACK = 4;
  static final long HEAP_SLACK_BYTES = 32L << 20;

  @TempDir Path tmp;

  @Test
  void manyScrapersLeaveNothingBehind() throws Exception {
    int scrapes = FULL ? 10_000 : DEFAULT_SCRAPES;
    Path cgroupfs = fixtureTreePerTask(tmp.resolve("cgroupfs"));
    try (FakeContainerd containerd = new FakeContainerd()) {
      for (int i = 0; i < TASKS; i++) {
        String ns = "ns-" + (i % 10);
        String id = String.format("c%05d", i);
        FakeNamespace n = containerd.namespace(ns);
        n.container(
            id,
            "registry.example/app:1",
            Map.of(),
            FakeNamespace.spec("/" + ns + "/" + id, Map.of()));
        n.task(id, 100_000 + i, Status.RUNNING);
      }
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(
              containerd.socket(),
              "--poll.interval=1h",
              "--poll.timeout=1h",
              "--path.cgroupfs=" + cgroupfs,
              "--no-collector.images",
              "--no-collector.content",
              "--no-collector.snapshots")) {
        MetricsText first =
            exporter.awaitScrape(
                Duration.ofSeconds(120),
                "task stats of every task",
                s -> s.samples("container_cpu_usage_seconds_total").size() >= TASKS);
        int port = exporter.port();
        // warm up: the server's threads, the JIT, the first TLS-free connection paths
        run(port, SCRAPERS, SCRAPERS * 2);
        Usage before = Usage.now();
        long start = System.nanoTime();
        Result result = run(port, SCRAPERS, scrapes);
        double seconds = (System.nanoTime() - start) / 1e9;
        Usage after = Usage.settled(before);

        String report =
            String.format(
                "load-and-leaks: %d tasks, %d series per scrape, %d scrapers x %d scrapes in %.1f s"
                    + " (%.0f scrapes/s); answers %s; fds %d -> %d, threads %d -> %d, heap after GC"
                    + " %.1f -> %.1f MiB",
                TASKS,
                first.samples().size(),
                SCRAPERS,
                scrapes,
                seconds,
                scrapes / seconds,
                result.statuses(),
                before.fds(),
                after.fds(),
                before.threads(),
                after.threads(),
                before.heap() / 1048576.0,
                after.heap() / 1048576.0);
        System.out.println(report);
        Files.writeString(Path.of("target", "load-and-leaks.md"), report + "\n");

        assertEquals(0, result.failures().get(), "scrapes that failed at the socket: " + report);
        for (int status : result.statuses().keySet()) {
          assertTrue(status == 200 || status == 503, "unexpected status " + status + ": " + report);
        }
        assertEquals(scrapes, result.statuses().values().stream().mapToLong(LongAdder::sum).sum());
        assertTrue(after.fds() <= before.fds() + FD_SLACK, report);
        assertTrue(after.threads() <= before.threads() + THREAD_SLACK, report);
        assertTrue(after.heap() <= before.heap() + HEAP_SLACK_BYTES, report);
      }
    }
  }

  record Result(Map<Integer, LongAdder> statuses, AtomicInteger failures) {}

  /** {@code total} scrapes by {@code scrapers} threads, each on a fresh connection closed after. */
  private static Result run(int port, int scrapers, int total) throws InterruptedException {
    Result r = new Result(new ConcurrentHashMap<>(), new AtomicInteger());
    AtomicInteger left = new AtomicInteger(total);
    ExecutorService pool = Executors.newFixedThreadPool(scrapers);
    for (int i = 0; i < scrapers; i++) {
      pool.execute(
          () -> {
            while (left.getAndDecrement() > 0) {
              try {
                r.statuses().computeIfAbsent(scrape(port), s -> new LongAdder()).increment();
              } catch (IOException e) {
                r.failures().incrementAndGet();
              }
            }
          });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.MINUTES), "scrapers did not finish");
    return r;
  }

  /** One GET /metrics on its own connection: no client-side pool holds an fd afterwards. */
  private static int scrape(int port) throws IOException {
    try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(
          "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] head = in.readNBytes(12);
      if (head.length < 12) {
        throw new IOException("no status line");
      }
      in.transferTo(OutputStream.nullOutputStream());
      return Integer.parseInt(new String(head, 9, 3, StandardCharsets.US_ASCII));
    }
  }

  /** What the JVM holds: open fds, live threads, heap used after a full GC. */
  record Usage(long fds, int threads, long heap) {
    static Usage now() throws IOException {
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        return new Usage(
            fds.count(),
            ManagementFactory.getThreadMXBean().getThreadCount(),
            ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
      }
    }

    /**
     * Measured until back within the slack of {@code before} or 30 s passed: the server closes a
     * connection a moment after its last byte, and threads end a moment after their pool.
     */
    static Usage settled(Usage before) throws Exception {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Usage u;
      do {
        u = now();
        if (u.fds <= before.fds + FD_SLACK
            && u.threads <= before.threads + THREAD_SLACK
            && u.heap <= before.heap + HEAP_SLACK_BYTES) {
          return u;
        }
        Thread.sleep(200); // polling a condition with a deadline, not a fixed wait
      } while (System.nanoTime() < deadline);
      return u;
    }
  }

  /** The v1 fixture tree, its task cgroup copied for every task at /CONTROLLER/ns-N/cNNNNN. */
  private static Path fixtureTreePerTask(Path target) throws IOException {
    Path fixture = CgroupFixtures.copy("v1", target);
    try (Stream<Path> controllers = Files.list(fixture)) {
      for (Path controller : (Iterable<Path>) controllers::iterator) {
        Path c1 = controller.resolve("default/c1");
        if (Files.isSymbolicLink(controller) || !Files.isDirectory(c1)) {
          continue;
        }
        for (int i = 0; i < TASKS; i++) {
          Path dir =
              target
                  .resolve(controller.getFileName().toString())
                  .resolve("ns-" + (i % 10))
                  .resolve(String.format("c%05d", i));
          Files.createDirectories(dir);
          try (Stream<Path> files = Files.list(c1)) {
            for (Path f : (Iterable<Path>) files::iterator) {
              if (Files.isRegularFile(f)) {
                Files.copy(f, dir.resolve(f.getFileName().toString()));
              }
            }
          }
        }
      }
    }
    return target;
  }
}
