package io.containerdexporter.exposition;

import java.util.Arrays;

/**
 * A growable byte array, unsynchronized (ByteArrayOutputStream locks on every write), with the
 * UTF-8 and escaping the exposition formats need.
 */
final class ExpositionBytes {

  private byte[] bytes;
  private int size;

  ExpositionBytes(int capacity) {
    bytes = new byte[Math.max(capacity, 16)];
  }

  int size() {
    return size;
  }

  void write(byte b) {
    if (size == bytes.length) {
      grow(1);
    }
    bytes[size++] = b;
  }

  void write(byte[] b) {
    write(b, 0, b.length);
  }

  void write(byte[] b, int from, int length) {
    if (size + length > bytes.length) {
      grow(length);
    }
    System.arraycopy(b, from, bytes, size, length);
    size += length;
  }

  /** ASCII text (numbers, our own names): one byte per char. */
  void writeAscii(String s) {
    int n = s.length();
    if (size + n > bytes.length) {
      grow(n);
    }
    for (int i = 0; i < n; i++) {
      bytes[size++] = (byte) s.charAt(i);
    }
  }

  /**
   * A label value, escaped as client_java's writers do ({@code \\}, {@code \"}, {@code \n}) and
   * encoded as UTF-8 as their OutputStreamWriter does: an unpaired surrogate becomes {@code ?}.
   */
  void writeEscapedLabelValue(String s) {
    int n = s.length();
    // Worst case: 3 bytes per char (a BMP char; a surrogate pair is 4 bytes for 2 chars).
    if (size + 3 * n > bytes.length) {
      grow(3 * n);
    }
    byte[] b = bytes;
    int at = size;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        switch (c) {
          case '\\' -> {
            b[at++] = '\\';
            b[at++] = '\\';
          }
          case '"' -> {
            b[at++] = '\\';
            b[at++] = '"';
          }
          case '\n' -> {
            b[at++] = '\\';
            b[at++] = 'n';
          }
          default -> b[at++] = (byte) c;
        }
      } else if (c < 0x800) {
        b[at++] = (byte) (0xc0 | (c >> 6));
        b[at++] = (byte) (0x80 | (c & 0x3f));
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          int cp = Character.toCodePoint(c, s.charAt(++i));
          b[at++] = (byte) (0xf0 | (cp >> 18));
          b[at++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
          b[at++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
          b[at++] = (byte) (0x80 | (cp & 0x3f));
        } else {
          b[at++] = '?';
        }
      } else {
        b[at++] = (byte) (0xe0 | (c >> 12));
        b[at++] = (byte) (0x80 | ((c >> 6) & 0x3f));
        b[at++] = (byte) (0x80 | (c & 0x3f));
      }
    }
    size = at;
  }

  /** Empties it, keeping its array for the next family. */
  void clear() {
    size = 0;
  }

  /** The array written into: valid up to {@link #size()}, and only until the next write. */
  byte[] array() {
    return bytes;
  }

  /** Room for at least {@code capacity} bytes without growing. */
  void reserve(int capacity) {
    if (capacity > bytes.length) {
      grow(capacity - size);
    }
  }

  /** The bytes from {@code from} to the end, as a new array. */
  byte[] copyFrom(int from) {
    return Arrays.copyOfRange(bytes, from, size);
  }

  private void grow(int needed) {
    bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + needed));
  }
}
