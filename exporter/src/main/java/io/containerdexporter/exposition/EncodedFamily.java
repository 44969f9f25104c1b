package io.containerdexporter.exposition;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * One family encoded in one format, and the same bytes as a raw deflate stream that ends on a sync
 * flush: such streams, concatenated and closed by an empty final block, are one valid deflate
 * stream (pigz's trick), so a gzip body is assembled from cached pieces without compressing again.
 *
 * <p>When only gzip is asked for, the plain bytes can be let go ({@link #keepDeflatedOnly()}): at
 * 1000 tasks they are ~22 MB that the old generation would otherwise carry between rounds, against
 * ~4 MB deflated. A plain scrape then inflates them, and the family still tells whether newly
 * rendered bytes are its own by their length and two CRCs.
 */
final class EncodedFamily {

  /**
   * Fastest level: on a 22 MB exposition of 1000 tasks it costs about a third of the default
   * level's CPU for a body ~10% larger (docs/render-cost.md).
   */
  static final int LEVEL = Deflater.BEST_SPEED;

  /**
   * Smaller families keep their plain bytes whatever is asked for: together they weigh little, and
   * a plain scrape should not inflate a few hundred tiny pieces.
   */
  static final int SMALLEST_DEFLATED_ONLY = 4 << 10;

  // One deflater (and inflater) per thread, reset between pieces: a new one allocates zlib's
  // state each time, and a scrape deflates a few small families built at scrape time.
  private static final ThreadLocal<Deflater> DEFLATERS =
      ThreadLocal.withInitial(() -> new Deflater(LEVEL, true));
  private static final ThreadLocal<Inflater> INFLATERS =
      ThreadLocal.withInitial(() -> new Inflater(true));

  private final int length;
  // Null while only the deflated bytes are kept. Set after deflated, crc and crc32c whenever it
  // is cleared, so a reader that finds it null finds those.
  private volatile byte[] plain;
  private volatile byte[] deflated;
  private volatile long crc = -1;
  private volatile int crcShift;
  private volatile long crc32c = -1;

  EncodedFamily(byte[] plain) {
    this.plain = plain;
    this.length = plain.length;
  }

  private EncodedFamily(int length, byte[] deflated, long crc, long crc32c) {
    this.length = length;
    this.deflated = deflated;
    this.crcShift = Crc32Combine.shift(length);
    this.crc = crc;
    this.crc32c = crc32c;
  }

  /**
   * The first {@code length} bytes of {@code rendered}, a buffer the caller reuses: copied when
   * plain scrapes want them (or the family is small), else only deflated and checksummed.
   */
  static EncodedFamily of(byte[] rendered, int length, boolean plainWanted) {
    if (plainWanted || length < SMALLEST_DEFLATED_ONLY) {
      return new EncodedFamily(Arrays.copyOf(rendered, length));
    }
    return new EncodedFamily(
        length, deflate(rendered, length), crc32(rendered, length), crc32c(rendered, length));
  }

  int length() {
    return length;
  }

  /** The plain bytes, inflated anew when only the deflated ones are kept. */
  byte[] plain() {
    byte[] p = plain;
    if (p != null) {
      return p;
    }
    byte[] out = new byte[length];
    Inflater inflater = INFLATERS.get();
    inflater.reset();
    inflater.setInput(deflated);
    try {
      for (int n = 0; n < length; ) {
        int inflated = inflater.inflate(out, n, length - n);
        if (inflated == 0) {
          throw new IllegalStateException("deflated family ends before its length");
        }
        n += inflated;
      }
      return out;
    } catch (DataFormatException e) {
      throw new IllegalStateException("deflated family is corrupt", e);
    } finally {
      inflater.setInput(new byte[0]);
    }
  }

  /**
   * Whether the first {@code n} bytes of {@code bytes} are this family's plain bytes (compared, or
   * by length and CRCs).
   */
  boolean encodes(byte[] bytes, int n) {
    byte[] p = plain;
    if (p != null) {
      return Arrays.equals(p, 0, length, bytes, 0, n);
    }
    // Two CRCs of different polynomials: a degree-64 code, so no change of up to 64 bits in a row
    // goes unseen, and an unrelated text of the same length matches with odds of 2^-64.
    return n == length && crc32(bytes, n) == crc && crc32c(bytes, n) == crc32c;
  }

  /** Lets the plain bytes go (deflating and checksumming first); small families keep them. */
  void keepDeflatedOnly() {
    byte[] p = plain;
    if (p == null || length < SMALLEST_DEFLATED_ONLY) {
      return;
    }
    deflated();
    crc();
    crc32c = crc32c(p, length);
    plain = null;
  }

  /** Takes the plain bytes back (a plain scrape asked again), so scrapes stop inflating them. */
  void keepPlain() {
    if (plain == null) {
      plain = plain();
    }
  }

  /** Whether the plain bytes are held (tests). */
  boolean holdsPlain() {
    return plain != null;
  }

  /** Compressed on first use, so a format nobody asks gzip'd for costs no deflate. */
  byte[] deflated() {
    byte[] d = deflated;
    if (d == null) {
      d = deflate(plain, length);
      deflated = d;
    }
    return d;
  }

  /** CRC-32 of the plain bytes, computed once. */
  long crc() {
    long c = crc;
    if (c < 0) {
      crcShift = Crc32Combine.shift(length);
      c = crc32(plain, length);
      crc = c;
    }
    return c;
  }

  /** {@link Crc32Combine#shift} of the plain length; valid once {@link #crc()} was called. */
  int crcShift() {
    crc();
    return crcShift;
  }

  private static long crc32(byte[] bytes, int n) {
    CRC32 crc32 = new CRC32();
    crc32.update(bytes, 0, n);
    return crc32.getValue();
  }

  private static long crc32c(byte[] bytes, int n) {
    CRC32C crc32c = new CRC32C();
    crc32c.update(bytes, 0, n);
    return crc32c.getValue();
  }

  private static byte[] deflate(byte[] input, int length) {
    Deflater deflater = DEFLATERS.get();
    deflater.reset();
    try {
      deflater.setInput(input, 0, length);
      ByteArrayOutputStream out = new ByteArrayOutputStream(length / 4 + 64);
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
