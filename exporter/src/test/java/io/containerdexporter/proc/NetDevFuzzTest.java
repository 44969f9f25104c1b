package io.containerdexporter.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link NetDev#parse} on random input never throws, and what it returns is always usable: no
 * duplicate or blank names (a duplicate series would break the whole exposition), no negative or
 * NaN counter. Fixed seeds, so a failure reproduces.
 */
class NetDevFuzzTest {

  /** The default suite's bound; -Dfuzz.iterations=N runs longer. */
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 20_000);

  private static final String VALID =
      NetDevParserTest.HEADER
          + "    lo:   52012     611    0    0    0     0          0         0    52012     611    0    0    0     0       0"
          + "          0\n"
          + "  eth0: 8825043   61270    3   17    0     0          0         0 15234876   58112    1    4    0     0       0"
          + "          0\n";

  @Test
  void randomBytesNeverThrow() {
    Random random = new Random(20250101);
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] bytes = new byte[random.nextInt(400)];
      random.nextBytes(bytes);
      assertUsable(NetDev.parse(new String(bytes, StandardCharsets.UTF_8)));
    }
  }

  /**
   * Random text built from the file's own alphabet reaches the number and name checks far more
   * often.
   */
  @Test
  void randomNetDevAlphabetNeverThrows() {
    String alphabet = "0123456789 :\n\t|eth-lo.@/+x";
    Random random = new Random(7);
    for (int i = 0; i < ITERATIONS; i++) {
      StringBuilder s = new StringBuilder();
      int n = random.nextInt(300);
      for (int c = 0; c < n; c++) {
        s.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertUsable(NetDev.parse(s.toString()));
    }
  }

  /** A valid file with one byte changed, dropped or repeated, at every position. */
  @Test
  void mutatedValidFileNeverThrows() {
    Random random = new Random(42);
    for (int pos = 0; pos < VALID.length(); pos++) {
      for (int k = 0; k < 3; k++) {
        StringBuilder s = new StringBuilder(VALID);
        switch (k) {
          case 0 -> s.setCharAt(pos, (char) random.nextInt(256));
          case 1 -> s.deleteCharAt(pos);
          default -> s.insert(pos, s.charAt(pos));
        }
        NetDev.Parsed p = NetDev.parse(s.toString());
        assertUsable(p);
        assertTrue(p.interfaces().size() + p.malformed().size() >= 1, s.toString());
      }
    }
    assertEquals(2, NetDev.parse(VALID).interfaces().size());
  }

  private static void assertUsable(NetDev.Parsed p) {
    Set<String> names = new HashSet<>();
    for (NetDev.Interface i : p.interfaces()) {
      assertFalse(i.name().isBlank(), "blank name");
      assertTrue(names.add(i.name()), "duplicate " + i.name());
      for (double v :
          List.of(
              i.receiveBytes(),
              i.receivePackets(),
              i.receiveErrors(),
              i.receiveDropped(),
              i.transmitBytes(),
              i.transmitPackets(),
              i.transmitErrors(),
              i.transmitDropped())) {
        assertTrue(v >= 0 && !Double.isNaN(v) && !Double.isInfinite(v), i.toString());
      }
    }
  }
}
