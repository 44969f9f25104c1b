package io.containerdexporter.exposition;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;

/**
 * One family encoded in one format, and the same bytes as a raw deflate stream that ends on a sync
 * flush: such streams, concatenated and closed by an empty final block, are one valid deflate
 * stream (pigz's trick), so a gzip body is assembled from cached pieces without compressing again.
 */
final class EncodedFamily {

  private final byte[] plain;
  private volatile byte[] deflated;

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

  private static byte[] deflate(byte[] input) {
    Deflater deflater = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
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
      deflater.end();
    }
  }
}
