package io.containerdexporter.logging;

import io.containerdexporter.config.LogLevel;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * Sets up java.util.logging to write logfmt to stderr, and with it every library: grpc-java and
 * netty log to it directly, oshi through SLF4J's java.util.logging binding. Nothing else reaches
 * stderr.
 */
public final class Logging {

  // java.util.logging holds loggers weakly: a level set on a logger nobody references is lost at
  // the next GC.
  private static final Logger GRPC = Logger.getLogger("io.grpc");
  private static final Logger NETTY = Logger.getLogger("io.netty");
  // oshi logs through SLF4J, bound to java.util.logging by slf4j-jdk14; JNA logs to
  // java.util.logging directly.
  private static final Logger OSHI = Logger.getLogger("oshi");
  private static final Logger JNA = Logger.getLogger("com.sun.jna");

  private Logging() {}

  public static void configure(LogLevel level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new ConsoleHandler();
    handler.setFormatter(new LogfmtFormatter());
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(level.julLevel());
    // grpc and netty log reconnect attempts and channel details at INFO; our own lines already say
    // what matters.
    Level libraries = level == LogLevel.DEBUG ? Level.INFO : Level.WARNING;
    for (Logger library : new Logger[] {GRPC, NETTY, OSHI, JNA}) {
      library.setLevel(libraries);
    }
  }
}
