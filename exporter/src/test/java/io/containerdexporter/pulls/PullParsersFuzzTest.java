package io.containerdexporter.pulls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link ContainerdLogLine#parse} and {@link ImageRepository#parse} on random and mutated input
 * never throw and always return something usable: an outcome with a record exactly when parsed, and
 * label values without control characters. Fixed seeds, so a failure reproduces.
 */
class PullParsersFuzzTest {

  /** The default suite's bound; -Dfuzz.iterations=N runs longer. */
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 20_000);

  private static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z");

  private static final List<String> LINES =
      List.of(
          "time=\"2026-12-02T03:59:58.123456789Z\" level=error msg=\"PullImage"
              + " \\\"127.0.0.1:5000/pulls/app:missing\\\" failed\" error=\"rpc error: code ="
              + " NotFound desc = not found\"",
          "time=\"2026-12-02T03:59:00+00:00\" level=info msg=\"PullImage"
              + " \\\"docker.io/library/busybox:1.36\\\"\"",
          "level=info msg=\"PullImage \\\"busybox:1.36\\\" returns image reference"
              + " \\\"sha256:abc\\\"\"",
          "{\"level\":\"info\",\"msg\":\"PullImage \\\"busybox:1.36\\\"\","
              + "\"time\":\"2026-12-02T03:59:00Z\"}");

  private static final List<String> REFERENCES =
      List.of(
          "busybox",
          "busybox:1.36",
          "docker.io/library/busybox:1.36@sha256:abc",
          "127.0.0.1:5000/pulls/app:missing",
          "localhost/a/b/c:tag",
          "registry.k8s.io/pause:3.6");

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(20261202);
    IntStream.range(0, ITERATIONS)
        .mapToObj(i -> randomUtf8(random))
        .forEach(PullParsersFuzzTest::assertUsable);
  }

  private static String randomUtf8(Random random) {
    byte[] bytes = new byte[random.nextInt(300)];
    random.nextBytes(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Valid lines and references with a few characters replaced, dropped or repeated. */
  @Test
  void mutatedValidInputNeverThrows() {
    String alphabet = "\"\\ =:/@.{}[],aZ09\t-_";
    Random random = new Random(14);
    for (int i = 0; i < ITERATIONS; i++) {
      List<String> pool = random.nextBoolean() ? LINES : REFERENCES;
      StringBuilder s = new StringBuilder(pool.get(random.nextInt(pool.size())));
      for (int m = 1 + random.nextInt(4); m > 0 && s.length() > 0; m--) {
        int at = random.nextInt(s.length());
        switch (random.nextInt(3)) {
          case 0 -> s.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
          case 1 -> s.deleteCharAt(at);
          default -> s.insert(at, s.charAt(at));
        }
      }
      assertUsable(s.toString());
    }
  }

  private static void assertUsable(String input) {
    ContainerdLogLine.Outcome o = ContainerdLogLine.parse(input, NOW);
    assertNotNull(o.result(), input);
    assertEquals(o.result() == ContainerdLogLine.Result.PARSED, o.record().isPresent(), input);
    ImageRepository r = ImageRepository.parse(input);
    assertNotNull(r.registry(), input);
    assertNotNull(r.repository(), input);
    assertFalse(r.repository().isEmpty(), input);
    assertFalse(hasControl(r.registry() + r.repository()), input);
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }
}
