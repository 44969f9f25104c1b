package io.containerdexporter;

import io.containerdexporter.collect.CollectorCatalog;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.CommandLineParser;
import io.containerdexporter.config.CommandLineParser.Exit;
import io.containerdexporter.config.CommandLineParser.Run;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.config.WebConfigException;
import io.containerdexporter.logging.Logging;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Logger;

/** Entry point: parse flags, start, run until SIGTERM/SIGINT. */
public final class Main {

  /**
   * Could not start for a reason outside the command line (for example the listen address is
   * taken).
   */
  static final int EXIT_FAILURE = 1;

  private Main() {}

  public static void main(String[] args) {
    keepNativeLibrariesUnderTmp();
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    CommandLineParser.Outcome outcome =
        CommandLineParser.parse(args, CollectorCatalog.switches(), out, err);
    if (outcome instanceof Exit exit) {
      System.exit(exit.code());
    }
    ExporterConfig config = ((Run) outcome).config();
    Logging.configure(config.logLevel());
    Logger log = Logger.getLogger(Main.class.getName());

    Exporter exporter;
    try {
      exporter = Exporter.start(config, BuildInfo.load());
    } catch (WebConfigException e) {
      // A usage error like a bad flag: one plain line, naming the file and the key, exit 2.
      err.println("containerd-exporter: error: --web.config.file=" + e.getMessage());
      System.exit(CommandLineParser.EXIT_USAGE);
      return;
    } catch (IOException e) {
      log.severe(
          "cannot listen on "
              + config.listenAddresses().stream()
                  .map(Object::toString)
                  .collect(java.util.stream.Collectors.joining(", "))
              + ": "
              + e.getMessage());
      System.exit(EXIT_FAILURE);
      return;
    }

    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  log.info("shutting down");
                  exporter.close();
                  stopped.countDown();
                },
                "shutdown"));
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * oshi's JNA unpacks its native library into {@code ~/.cache/JNA} unless told otherwise, which a
   * read-only root filesystem (a hardened DaemonSet) or an unwritable HOME refuses; netty unpacks
   * its epoll library into java.io.tmpdir already. So both go to java.io.tmpdir (/tmp), the one
   * place the exporter writes, and JNA uses its own bundled library rather than a system one of
   * another version. Set before anything loads JNA; a value given with -D wins.
   */
  static void keepNativeLibrariesUnderTmp() {
    String tmp = System.getProperty("java.io.tmpdir", "/tmp");
    if (System.getProperty("jna.tmpdir") == null) {
      System.setProperty("jna.tmpdir", Path.of(tmp, "containerd-exporter-jna").toString());
    }
    if (System.getProperty("jna.nosys") == null) {
      System.setProperty("jna.nosys", "true");
    }
  }
}
