package io.containerdexporter.fake;

import com.google.protobuf.Timestamp;
import java.time.Instant;

final class Timestamps {

  /**
   * When every fake record was created, unless a test says otherwise: fixed, so nothing varies
   * between runs.
   */
  static final Instant EPOCH_OF_FIXTURES = Instant.parse("2025-01-01T00:00:00Z");

  private Timestamps() {}

  static Timestamp of(Instant t) {
    return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }
}
