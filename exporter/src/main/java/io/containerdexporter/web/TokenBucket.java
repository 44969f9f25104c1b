package io.containerdexporter.web;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * exporter-toolkit's {@code rate_limit} (Go's rate.Limiter): {@code burst} tokens at most, one more
 * every {@code interval}; a request without a token is refused. Burst 0 refuses everything, as in
 * Go. The clock is injected so a test needs no sleep.
 */
final class TokenBucket {

  private final long intervalNanos;
  private final int burst;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  TokenBucket(Duration interval, int burst, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.burst = burst;
    this.nanoTime = nanoTime;
    this.tokens = burst;
    this.last = nanoTime.getAsLong();
  }

  synchronized boolean tryTake() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(burst, tokens + (double) (now - last) / intervalNanos);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
