package io.containerdexporter.config;

import java.util.Locale;
import java.util.logging.Level;

/** The four levels Prometheus exporters offer on {@code --log.level}. */
public enum LogLevel {
  DEBUG(Level.FINE),
  INFO(Level.INFO),
  WARN(Level.WARNING),
  ERROR(Level.SEVERE);

  private final Level julLevel;

  LogLevel(Level julLevel) {
    this.julLevel = julLevel;
  }

  public Level julLevel() {
    return julLevel;
  }

  public static LogLevel parse(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not a log level; expected debug, info, warn or error");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
