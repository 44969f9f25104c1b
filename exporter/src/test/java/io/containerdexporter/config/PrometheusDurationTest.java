package io.containerdexporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PrometheusDurationTest {

  @Test
  void parsesPrometheusDurations() {
    assertEquals(Duration.ofMillis(500), PrometheusDuration.parse("500ms"));
    assertEquals(Duration.ofSeconds(15), PrometheusDuration.parse("15s"));
    assertEquals(Duration.ofSeconds(90), PrometheusDuration.parse("1m30s"));
    assertEquals(Duration.ofHours(2), PrometheusDuration.parse("2h"));
    assertEquals(Duration.ofDays(8), PrometheusDuration.parse("1w1d"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "15", "s", "1.5s", "-1s", "15 s", "1x"})
  void rejectsAnythingElse(String text) {
    assertThrows(IllegalArgumentException.class, () -> PrometheusDuration.parse(text));
  }

  @Test
  void formatsShortest() {
    assertEquals("15s", PrometheusDuration.format(Duration.ofSeconds(15)));
    assertEquals("1m30s", PrometheusDuration.format(Duration.ofSeconds(90)));
    assertEquals("250ms", PrometheusDuration.format(Duration.ofMillis(250)));
    assertEquals("0s", PrometheusDuration.format(Duration.ZERO));
  }
}
