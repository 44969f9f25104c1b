package io.containerdexporter.exposition;

/**
 * zlib's crc32_combine (the x^n mod p form of zlib 1.2.12): the CRC-32 of two byte runs joined,
 * from the CRC of each and the length of the second. A gzip body is assembled from cached pieces,
 * and so is its CRC: no scrape runs CRC-32 over the whole exposition again.
 */
final class Crc32Combine {

  private static final int POLY = 0xedb88320; // CRC-32, reflected
  private static final int[] X2N = new int[32]; // x^(2^n) mod p

  static {
    int p = 1 << 30; // x^1
    X2N[0] = p;
    for (int n = 1; n < 32; n++) {
      X2N[n] = p = multiplyModP(p, p);
    }
  }

  private Crc32Combine() {}

  /** The operator that appends {@code length} bytes: x^(8 * length) mod p. */
  static int shift(long length) {
    int p = 1 << 31; // x^0
    int k = 3; // 8 bits per byte = 2^3
    while (length != 0) {
      if ((length & 1) != 0) {
        p = multiplyModP(X2N[k & 31], p);
      }
      length >>>= 1;
      k++;
    }
    return p;
  }

  /** The CRC of A then B, from A's CRC, B's CRC and {@link #shift} of B's length. */
  static long combine(long crcA, long crcB, int shiftB) {
    return (multiplyModP(shiftB, (int) crcA) ^ (int) crcB) & 0xffffffffL;
  }

  private static int multiplyModP(int a, int b) {
    int m = 1 << 31;
    int p = 0;
    for (; ; ) {
      if ((a & m) != 0) {
        p ^= b;
        if ((a & (m - 1)) == 0) {
          break;
        }
      }
      m >>>= 1;
      b = (b & 1) != 0 ? (b >>> 1) ^ POLY : b >>> 1;
    }
    return p;
  }
}
