package io.containerdexporter.bench;

import io.containerdexporter.it.ExporterProcess;
import io.containerdexporter.it.MetricsText;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The real exporter jar in a child JVM with the flags the image ships (image/jvm.options), exactly
 * as users run it; the benchmark only reads its /proc entries and scrapes it.
 */
final class BenchExporter implements AutoCloseable {

  private static final String ROUND_QUERY =
      "/metrics?name[]=containerd_exporter_collector_last_success_timestamp_seconds"
          + "&name[]=containerd_exporter_poll_duration_seconds";

  private final ExporterProcess process;
  private final Scraper scraper;
  private final long launchedNanos;

  private BenchExporter(ExporterProcess process, long launchedNanos) {
    this.process = process;
    this.launchedNanos = launchedNanos;
    this.scraper = new Scraper("http://127.0.0.1:" + process.port() + "/metrics");
  }

  /** The JVM flags of image/jvm.options, one per line, comments and blanks left out. */
  static List<String> imageJvmOptions() {
    try {
      return Files.readAllLines(Path.of("image/jvm.options")).stream()
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("image/jvm.options (run from the repository root)", e);
    }
  }

  /** Launches the jar ({@code -Dexporter.jar}) and returns once it serves /-/healthy. */
  static BenchExporter start(int port, List<String> args) {
    long launched = System.nanoTime();
    return new BenchExporter(ExporterProcess.startWith(imageJvmOptions(), port, args), launched);
  }

  static int freePort(int preferred) {
    try (ServerSocket s = new ServerSocket(preferred)) {
      return s.getLocalPort();
    } catch (IOException taken) {
      try (ServerSocket s = new ServerSocket(0)) {
        return s.getLocalPort();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  ProcessProbe probe() {
    return new ProcessProbe(process.pid());
  }

  Scraper scraper() {
    return scraper;
  }

  /** Seconds from launch until /-/ready answers 200. */
  double awaitReady(double timeoutSeconds) throws InterruptedException {
    while (scraper.status("/-/ready") != 200) {
      checkAlive();
      if (secondsSinceLaunch() > timeoutSeconds) {
        throw new IllegalStateException("not ready after " + timeoutSeconds + " s:\n" + log());
      }
      Thread.sleep(20);
    }
    return secondsSinceLaunch();
  }

  /** How long the latest poll round took, in seconds. */
  double lastRoundSeconds() {
    return MetricsText.parse(roundText())
        .value("containerd_exporter_poll_duration_seconds")
        .orElse(Double.NaN);
  }

  /** The collectors whose latest run failed or overran --poll.timeout (their success gauge 0). */
  List<String> failingCollectors() {
    String text =
        new Scraper(
                "http://127.0.0.1:"
                    + process.port()
                    + "/metrics?name[]=containerd_exporter_collector_success")
            .scrape(Scraper.Ask.PLAIN)
            .text();
    return MetricsText.parse(text).samples("containerd_exporter_collector_success").stream()
        .filter(s -> s.value() == 0)
        .map(s -> s.labels().get("collector"))
        .sorted()
        .toList();
  }

  /** Waits until a round ends after the one that had ended when called; its end time. */
  double awaitNextRound(double timeoutSeconds) throws InterruptedException {
    double before = roundEnd();
    long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
    while (System.nanoTime() < deadline) {
      checkAlive();
      double now = roundEnd();
      if (now > before) {
        return now;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("no poll round within " + timeoutSeconds + " s:\n" + log());
  }

  private double roundEnd() {
    return MetricsText.parse(roundText())
        .samples("containerd_exporter_collector_last_success_timestamp_seconds")
        .stream()
        .mapToDouble(MetricsText.Sample::value)
        .max()
        .orElse(-1);
  }

  /** Only the poller's own two families (client_java's name[] filter): cheap next to a round. */
  private String roundText() {
    return new Scraper("http://127.0.0.1:" + process.port() + ROUND_QUERY)
        .scrape(Scraper.Ask.PLAIN)
        .text();
  }

  /** Starts a JFR recording of per-thread allocation only (jcmd; after RSS was read). */
  void startAllocationRecording(Path settings) {
    jcmd("JFR.start", "name=bench-alloc", "settings=" + settings);
  }

  void dumpAllocationRecording(Path file) {
    jcmd("JFR.dump", "name=bench-alloc", "filename=" + file);
    jcmd("JFR.stop", "name=bench-alloc");
  }

  private void jcmd(String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    command.add(Long.toString(process.pid()));
    command.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  double secondsSinceLaunch() {
    return (System.nanoTime() - launchedNanos) / 1e9;
  }

  private void checkAlive() {
    if (!process.isAlive()) {
      throw new IllegalStateException("exporter exited:\n" + process.log());
    }
  }

  String log() {
    return process.log();
  }

  @Override
  public void close() {
    process.close();
  }
}
