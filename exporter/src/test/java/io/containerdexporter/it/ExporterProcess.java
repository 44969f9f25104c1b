package io.containerdexporter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real exporter jar, run as a separate process the way a user runs it, with its log captured to
 * a file. Tests talk to it only over HTTP.
 */
public final class ExporterProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private ExporterProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /**
   * The shaded jar failsafe points us at; building it is `mvn package`'s job, so its absence is an
   * error.
   */
  public static Path jar() {
    String path = System.getProperty("exporter.jar");
    if (path == null || !Files.isRegularFile(Path.of(path))) {
      throw new IllegalStateException(
          "exporter jar not found at " + path + ": run the ITs with `mvn verify`");
    }
    return Path.of(path);
  }

  public static ExporterProcess start(Path containerdSocket, String... extraArgs) {
    return startUnder(List.of(), containerdSocket, extraArgs);
  }

  /**
   * The jar run by {@code wrapper} (e.g. {@code unshare -m sh -c '... exec "$@"' sh}), which must
   * exec it.
   */
  public static ExporterProcess startUnder(
      List<String> wrapper, Path containerdSocket, String... extraArgs) {
    int port = freePort();
    List<String> command = new ArrayList<>(wrapper);
    command.addAll(
        List.of(
            javaBin(),
            "-XX:+UseSerialGC",
            "-Xmx64m",
            "-jar",
            jar().toString(),
            "--containerd.address=" + containerdSocket,
            "--web.listen-address=127.0.0.1:" + port));
    command.addAll(List.of(extraArgs));
    return launch(command, port);
  }

  /**
   * The jar under exactly these JVM options (e.g. image/jvm.options', as users run it) and these
   * flags, listening on {@code port}; a benchmark measures it from outside.
   */
  public static ExporterProcess startWith(List<String> jvmOptions, int port, List<String> args) {
    List<String> command = new ArrayList<>(List.of(javaBin()));
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar().toString(), "--web.listen-address=127.0.0.1:" + port));
    command.addAll(args);
    return launch(command, port);
  }

  private static ExporterProcess launch(List<String> command, int port) {
    try {
      Path log = Files.createTempFile("exporter-it-", ".log");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      ExporterProcess exporter = new ExporterProcess(process, port, log);
      Await.until(
          Duration.ofSeconds(20),
          "the exporter to serve /-/healthy",
          () -> {
            if (!process.isAlive()) {
              throw new IllegalStateException(
                  "exporter exited with " + process.exitValue() + ":\n" + exporter.log());
            }
            return exporter.get("/-/healthy").statusCode();
          },
          code -> code == 200);
      return exporter;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public int port() {
    return port;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public HttpResponse<String> get(String path) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** GET /metrics; fails unless it answers 200. */
  public MetricsText scrape() {
    HttpResponse<String> response = get("/metrics");
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          "/metrics answered " + response.statusCode() + ": " + response.body());
    }
    return MetricsText.parse(response.body());
  }

  public String log() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
    try {
      Files.deleteIfExists(log);
    } catch (IOException ignored) {
      // a temp file; the OS cleans /tmp
    }
  }
}
