package io.containerdexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class Crc32CombineTest {

  @Test
  void combiningThePiecesCrcsIsTheCrcOfTheWhole() {
    Random random = new Random(16);
    for (int round = 0; round < 200; round++) {
      byte[] all = new byte[random.nextInt(5000)];
      random.nextBytes(all);
      long combined = 0;
      int from = 0;
      while (from < all.length || from == 0) {
        int length = Math.min(all.length - from, random.nextInt(700));
        CRC32 piece = new CRC32();
        piece.update(all, from, length);
        combined = Crc32Combine.combine(combined, piece.getValue(), Crc32Combine.shift(length));
        from += length;
        if (all.length == 0) {
          break;
        }
      }
      CRC32 whole = new CRC32();
      whole.update(all);
      assertEquals(whole.getValue(), combined, "length " + all.length);
    }
  }
}
