package io.containerdexporter.containerd;

import java.time.Duration;

/**
 * Exponential backoff, doubling from {@code initial} up to {@code max}; pure so tests need no
 * clock.
 */
public record Backoff(Duration initial, Duration max) {

  /** The delay before retry number {@code attempt} (1 is the first retry). */
  public Duration delay(int attempt) {
    if (attempt <= 1) {
      return initial;
    }
    // Cap the shift so a long outage cannot overflow.
    long factor = 1L << Math.min(attempt - 1, 30);
    long millis = initial.toMillis() * factor;
    return millis >= max.toMillis() || millis <= 0 ? max : Duration.ofMillis(millis);
  }
}
