package io.containerdexporter.golden;

import io.containerdexporter.Exporter;
import io.containerdexporter.collect.CollectorCatalog;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.CommandLineParser;
import io.containerdexporter.it.Await;
import io.containerdexporter.it.MetricsText;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The exporter started in this JVM through its real entry points (command line parser, {@link
 * Exporter#start}), the way Main does, pointed at a fake containerd; scraped over HTTP like
 * Prometheus would.
 */
final class InProcessExporter implements AutoCloseable {

  /**
   * Collectors the tests assert on (the inventory ones and the opt-in image-info); others may run
   * too.
   */
  static final List<String> COLLECTORS =
      List.of("containers", "tasks", "images", "content", "snapshots", "image-info");

  record Response(int status, String contentType, String body) {}

  private final Exporter exporter;
  private final int port;

  /** The empty stand-ins for /proc and /sys/fs/cgroup this exporter was given, removed on close. */
  private final List<Path> emptyTrees;

  private InProcessExporter(Exporter exporter, int port, List<Path> emptyTrees) {
    this.exporter = exporter;
    this.port = port;
    this.emptyTrees = emptyTrees;
  }

  static InProcessExporter start(Path containerdSocket, String... extraArgs) throws IOException {
    // Exporter has no accessor for the bound port, so take a free one first (a small race we accept
    // in tests).
    int port;
    try (ServerSocket probe = new ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    List<String> args =
        new ArrayList<>(
            List.of(
                "--containerd.address=" + containerdSocket,
                "--web.listen-address=127.0.0.1:" + port,
                "--collector.image-info"));
    args.addAll(List.of(extraArgs));
    // The fake's pids and cgroups are not this host's: unless a test points them at fixtures, read
    // empty trees, so
    // the host's real /proc and /sys/fs/cgroup never leak into a golden file.
    // The node's filesystems come from the host's mount table: not a fake's, and not the same on
    // two machines.
    if (args.stream().noneMatch(a -> a.contains("collector.writable-layer"))) {
      args.add("--no-collector.writable-layer");
    }
    // The fake is no process: containerd's and its shims' usage is proven on fixtures and the
    // real daemon (ProcessCollectorTest, ProcessIT).
    if (args.stream().noneMatch(a -> a.contains("collector.containerd-process"))) {
      args.add("--no-collector.containerd-process");
    }
    List<Path> emptyTrees = new ArrayList<>();
    for (String path : List.of("--path.procfs", "--path.cgroupfs")) {
      if (args.stream().noneMatch(a -> a.startsWith(path + "="))) {
        emptyTrees.add(java.nio.file.Files.createTempDirectory("empty-" + path.substring(7)));
        args.add(path + "=" + emptyTrees.get(emptyTrees.size() - 1));
      }
    }
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLineParser.Outcome outcome =
        CommandLineParser.parse(
            args.toArray(String[]::new),
            CollectorCatalog.switches(),
            new PrintWriter(out),
            new PrintWriter(err));
    if (!(outcome instanceof CommandLineParser.Run run)) {
      throw new IllegalArgumentException("command line " + args + " rejected: " + err + out);
    }
    return new InProcessExporter(
        Exporter.start(run.config(), new BuildInfo("test", "test", "17")), port, emptyTrees);
  }

  int port() {
    return port;
  }

  Response get(String path) {
    try {
      HttpURLConnection c =
          (HttpURLConnection)
              URI.create("http://127.0.0.1:" + port + path).toURL().openConnection();
      c.setConnectTimeout(2000);
      c.setReadTimeout(5000);
      try {
        int status = c.getResponseCode();
        InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream();
        String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8);
        return new Response(status, c.getContentType(), text);
      } finally {
        c.disconnect();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    }
  }

  /** GET /metrics, which must answer 200. */
  MetricsText scrape() {
    Response r = get("/metrics");
    if (r.status() != 200) {
      throw new IllegalStateException("GET /metrics answered " + r.status() + ": " + r.body());
    }
    return MetricsText.parse(r.body());
  }

  /** Waits until a scrape satisfies {@code ok}, returns that scrape. */
  MetricsText awaitScrape(
      Duration timeout, String what, java.util.function.Predicate<MetricsText> ok) {
    return Await.until(timeout, what, this::scrape, ok);
  }

  static double value(MetricsText m, String name, String... labels) {
    return m.value(name, labels)
        .orElseThrow(
            () ->
                new AssertionError(
                    "no series " + name + " " + List.of(labels) + " in:\n" + m.text()));
  }

  static boolean hasValue(MetricsText m, double expected, String name, String... labels) {
    return m.value(name, labels).map(v -> v == expected).orElse(false);
  }

  static double success(MetricsText m, String collector) {
    return m.value("containerd_exporter_collector_success", "collector", collector).orElse(-1.0);
  }

  /** The known collectors reported, and every reported collector (new ones too) succeeded. */
  static boolean allSucceeded(MetricsText m) {
    return COLLECTORS.stream().allMatch(c -> success(m, c) == 1.0)
        && m.samples("containerd_exporter_collector_success").stream()
            .allMatch(s -> s.value() == 1.0);
  }

  /**
   * Everything that converges after start has: every collector succeeded, containerd_up is 1 and,
   * if the exporter has an event stream, it is established (the fake holds Subscribe open like
   * containerd does).
   */
  static boolean settled(MetricsText m) {
    return allSucceeded(m)
        && hasValue(m, 1, "containerd_up")
        && m.value("containerd_exporter_event_stream_up").map(v -> v == 1).orElse(true);
  }

  @Override
  public void close() {
    exporter.close();
    for (Path tree : emptyTrees) {
      try {
        java.nio.file.Files.deleteIfExists(tree);
      } catch (IOException e) {
        // an empty temp directory left behind costs nothing
      }
    }
  }
}
