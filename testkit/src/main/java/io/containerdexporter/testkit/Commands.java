package io.containerdexporter.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs external commands with a hard timeout. Arguments go straight to exec: no shell, no quoting
 * problems.
 */
final class Commands {
  private Commands() {}

  static CtrResult run(List<String> command, Duration timeout) {
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
              .start();
    } catch (IOException e) {
      return new CtrResult(command, 127, "", "cannot start: " + e.getMessage(), false);
    }
    // Both pipes are drained concurrently: a chatty command would otherwise block on a full pipe
    // and "time out".
    CompletableFuture<String> stdout = drain(process.getInputStream());
    CompletableFuture<String> stderr = drain(process.getErrorStream());
    boolean finished;
    try {
      finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      finished = false;
    }
    if (!finished) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    int exit = finished ? process.exitValue() : -1;
    return new CtrResult(command, exit, collect(stdout), collect(stderr), !finished);
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  private static CompletableFuture<String> drain(InputStream stream) {
    // A thread of its own per pipe: the common pool has a single worker on a 2-core box, and two
    // blocking reads
    // queued on it would deadlock against a child that fills the second pipe.
    CompletableFuture<String> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              try (stream) {
                result.complete(new String(stream.readAllBytes(), StandardCharsets.UTF_8));
              } catch (IOException e) {
                result.completeExceptionally(new UncheckedIOException(e));
              }
            },
            "testkit-pipe-reader");
    reader.setDaemon(true);
    reader.start();
    return result;
  }

  private static String collect(CompletableFuture<String> output) {
    try {
      return output.get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      return "<output unavailable: " + e + ">";
    }
  }
}
