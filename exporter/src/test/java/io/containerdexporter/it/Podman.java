package io.containerdexporter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's podman with a storage of its own in a temp dir (vfs: works on any filesystem, as root,
 * without fuse), so a test's images never mix with anything on the host and go with the dir.
 */
final class Podman implements AutoCloseable {
  private final Path dir;

  private Podman(Path dir) {
    this.dir = dir;
  }

  /** Why podman cannot run here, or null when it can. */
  static String whyUnavailable() {
    try {
      Process probe = new ProcessBuilder("podman", "--version").redirectErrorStream(true).start();
      if (!probe.waitFor(60, TimeUnit.SECONDS) || probe.exitValue() != 0) {
        return "podman --version failed: "
            + new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      }
      return null;
    } catch (IOException e) {
      return "podman is not installed (apt-get install podman; scripts/test does): "
          + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  static Podman inTempDir(Path parent) {
    try {
      return new Podman(Files.createTempDirectory(parent, "podman-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The temp dir: the storage and anything the caller puts beside it go with {@link #close}. */
  Path dir() {
    return dir;
  }

  /**
   * Runs {@code podman ARGS} with this storage; returns stdout; throws with its output on failure.
   */
  String run(Duration timeout, String... args) {
    List<String> command =
        new ArrayList<>(
            List.of(
                "podman",
                "--root",
                dir.resolve("root").toString(),
                "--runroot",
                dir.resolve("runroot").toString(),
                "--storage-driver",
                "vfs",
                "--cgroup-manager",
                "cgroupfs",
                "--events-backend",
                "file"));
    command.addAll(List.of(args));
    Path out = dir.resolve("podman.out");
    try {
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        throw new AssertionError(
            "podman " + String.join(" ", args) + " took over " + timeout + ":\n" + tail(out));
      }
      if (process.exitValue() != 0) {
        throw new AssertionError(
            "podman "
                + String.join(" ", args)
                + " exited "
                + process.exitValue()
                + ":\n"
                + tail(out));
      }
      return Files.readString(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String tail(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /** Removes the storage (vfs layers are plain copies: hundreds of MB). */
  @Override
  public void close() {
    try {
      new ProcessBuilder("rm", "-rf", "--one-file-system", dir.toString())
          .inheritIO()
          .start()
          .waitFor(5, TimeUnit.MINUTES);
    } catch (IOException e) {
      System.err.println("could not remove " + dir + ": " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
