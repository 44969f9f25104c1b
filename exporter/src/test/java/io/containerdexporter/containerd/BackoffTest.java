package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(5));

  @Test
  void doublesUpToTheCap() {
    assertEquals(Duration.ofMillis(250), backoff.delay(1));
    assertEquals(Duration.ofMillis(500), backoff.delay(2));
    assertEquals(Duration.ofSeconds(1), backoff.delay(3));
    assertEquals(Duration.ofSeconds(4), backoff.delay(5));
    assertEquals(Duration.ofSeconds(5), backoff.delay(6));
  }

  @Test
  void aLongOutageStaysAtTheCap() {
    assertEquals(Duration.ofSeconds(5), backoff.delay(10_000));
    assertEquals(Duration.ofSeconds(5), backoff.delay(Integer.MAX_VALUE));
  }
}
