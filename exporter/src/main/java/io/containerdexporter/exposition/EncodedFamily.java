package io.containerdexporter.exposition;

import java.io.ByteArrayOutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * One family encoded in one format, and the same bytes as a raw deflate stream that ends on a sync
 * flush: such streams, concatenated and closed by an empty final block, are one valid deflate
 * stream (pigz's trick), so a gzip body is assembled from cached pieces without compressing again.
 */
final class EncodedFamily {

  /**
   * Fastest level: on a 22 MB exposition of 1000 tasks it costs about a third of the default
   * level's CPU for a body ~10% larger (docs/render-cost.md).
   */
  static final int LEVEL = Deflater.BEST_SPEED;

  // One deflater per thread, reset between pieces: a new one allocates zlib's state each time,
  // and a scrape deflates a few small families built at scrape time.
  private static final ThreadLocal<Deflater> DEFLATERS =
      ThreadLocal.withInitial(() -> new Deflater(LEVEL, true));

  private final byte[] plain;
  private volatile byte[] deflated;
  private volatile long crc = -1;
  private volatile int crcShift;

  EncodedFamily(byte[] plain) {
    this.plain = plain;
  }

  byte[] plain() {
    return plain;
  }

  /** Compressed on first use, so a format nobody asks gzip'd for costs no deflate. */
  byte[] deflated() {
    byte[] d = deflated;
    if (d == null) {
      d = deflate(plain);
      deflated = d;
    }
    return d;
  }

  /** CRC-32 of the plain bytes, computed once. */
  long crc() {
    long c = crc;
    if (c < 0) {
      CRC32 crc32 = new CRC32();
      crc32.update(plain);
      crcShift = Crc32Combine.shift(plain.length);
      c = crc32.getValue();
      crc = c;
    }
    return c;
  }

  /** {@link Crc32Combine#shift} of the plain length; valid once {@link #crc()} was called. */
  int crcShift() {
    crc();
    return crcShift;
  }

  private static byte[] deflate(byte[] input) {
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    try {
      deflater.setInput(input);
      ByteArrayOutputStream out = new ByteArrayOutputStream(input.length / 4 + 64);
      byte[] buffer = new byte[8192];
      int n;
      // SYNC_FLUSH: everything out, byte-aligned, and no final-block bit, so the next piece may
      // follow.
      do {
        n = deflater.deflate(buffer, 0, buffer.length, Deflater.SYNC_FLUSH);
        out.write(buffer, 0, n);
      } while (n == buffer.length);
      return out.toByteArray();
    } finally {
      deflater.setInput(new byte[0]); // let go of the input
    }
  }
}
