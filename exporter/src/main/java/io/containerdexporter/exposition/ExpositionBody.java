package io.containerdexporter.exposition;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/** A response body made of already encoded families: written plain or as one gzip member. */
public final class ExpositionBody {

  private static final byte[] GZIP_HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, 0};
  // A final fixed-Huffman block holding only end-of-block: closes the concatenated deflate pieces.
  private static final byte[] FINAL_BLOCK = {0x03, 0x00};

  private final List<EncodedFamily> parts;

  ExpositionBody(List<EncodedFamily> parts) {
    this.parts = parts;
  }

  public long plainLength() {
    long n = 0;
    for (EncodedFamily p : parts) {
      n += p.length();
    }
    return n;
  }

  public void writePlain(OutputStream out) throws IOException {
    for (EncodedFamily p : parts) {
      out.write(p.plain()); // inflated per family when only its deflated bytes are kept
    }
  }

  public long gzipLength() {
    long n = GZIP_HEADER.length + FINAL_BLOCK.length + 8;
    for (EncodedFamily p : parts) {
      n += p.deflated().length;
    }
    return n;
  }

  /**
   * Keeps what the next scrapes will ask for: deflated pieces (ready, so a gzip scrape only copies
   * bytes) when {@code gzip}, the plain ones when {@code plain}; asked for neither, a piece keeps
   * its plain bytes, so it always has one of the two.
   */
  public void keep(boolean plain, boolean gzip) {
    for (EncodedFamily p : parts) {
      if (gzip) {
        p.deflated();
        p.crc();
      }
      if (gzip && !plain) {
        p.keepDeflatedOnly();
      } else {
        p.keepPlain();
      }
    }
  }

  /** How many plain bytes the pieces hold (tests). */
  long heldPlainBytes() {
    long n = 0;
    for (EncodedFamily p : parts) {
      n += p.holdsPlain() ? p.length() : 0;
    }
    return n;
  }

  public void writeGzip(OutputStream out) throws IOException {
    long crc = 0;
    long size = 0;
    out.write(GZIP_HEADER);
    for (EncodedFamily p : parts) {
      out.write(p.deflated());
      crc = Crc32Combine.combine(crc, p.crc(), p.crcShift());
      size += p.length();
    }
    out.write(FINAL_BLOCK);
    writeIntLittleEndian(out, crc);
    writeIntLittleEndian(out, size);
  }

  private static void writeIntLittleEndian(OutputStream out, long value) throws IOException {
    for (int i = 0; i < 4; i++) {
      out.write((int) (value >>> (8 * i)) & 0xff);
    }
  }
}
