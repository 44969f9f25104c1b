package io.containerdexporter.logging;

import io.containerdexporter.config.LogLevel;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Sets up java.util.logging (which grpc-java and netty also use) to write logfmt to stderr. */
public final class Logging {

  // java.util.logging holds loggers weakly: a level set on a logger nobody references is lost at the next GC.
  private static final Logger GRPC = Logger.getLogger("io.grpc");
  private static final Logger NETTY = Logger.getLogger("io.netty");

  private Logging() {}

  public static void configure(LogLevel level) {
    LogManager.getLogManager().reset();
    Logger root = Logger.getLogger("");
    Handler handler = new ConsoleHandler();
    handler.setFormatter(new LogfmtFormatter());
    handler.setLevel(Level.ALL);
    root.addHandler(handler);
    root.setLevel(level.julLevel());
    // grpc and netty log reconnect attempts and channel details at INFO; our own lines already say what matters.
    Level libraries = level == LogLevel.DEBUG ? Level.INFO : Level.WARNING;
    GRPC.setLevel(libraries);
    NETTY.setLevel(libraries);
  }
}
