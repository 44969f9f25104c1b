package io.containerdexporter.it;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The real promtool from Debian's prometheus package. */
public final class Promtool {

  public record Result(int exitCode, String output) {}

  private Promtool() {}

  static Path binary() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, "promtool");
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "promtool not found on PATH: apt-get install prometheus (scripts/test does)");
  }

  /** {@code promtool check metrics} with the exposition on stdin. */
  public static Result checkMetrics(String exposition) {
    return runWithInput(null, exposition, "check", "metrics");
  }

  /**
   * promtool with {@code args} in {@code workdir} (e.g. {@code test rules FILE}: its rule_files are
   * relative to the test file).
   */
  public static Result run(Path workdir, String... args) {
    return runWithInput(workdir, "", args);
  }

  private static Result runWithInput(Path workdir, String stdin, String... args) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(List.of(args));
    try {
      ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
      if (workdir != null) {
        builder.directory(workdir.toFile());
      }
      Process p = builder.start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("promtool did not finish in 30 s");
      }
      return new Result(p.exitValue(), output);
    } catch (IOException e) {
      throw new IllegalStateException("running promtool failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
