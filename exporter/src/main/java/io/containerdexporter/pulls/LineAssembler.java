package io.containerdexporter.pulls;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Cuts a byte stream into lines with bounded memory: a line longer than the cap is dropped (counted
 * malformed once, when its newline arrives) instead of being buffered whole. Bytes are decoded as
 * UTF-8 with replacement, which the parser then reads as malformed.
 */
final class LineAssembler {

  /** Where complete lines and dropped ones go. */
  interface Sink {
    void line(String line);

    void malformed();
  }

  private final int maxBytes;
  private final Sink sink;
  private final ByteArrayOutputStream current = new ByteArrayOutputStream();
  private boolean overflowed;

  LineAssembler(int maxBytes, Sink sink) {
    this.maxBytes = maxBytes;
    this.sink = sink;
  }

  void feed(byte[] buffer, int length) {
    int start = 0;
    for (int i = 0; i < length; i++) {
      if (buffer[i] == '\n') {
        append(buffer, start, i - start);
        endLine();
        start = i + 1;
      }
    }
    append(buffer, start, length - start);
  }

  private void append(byte[] buffer, int offset, int length) {
    if (overflowed || length == 0) {
      return;
    }
    if (current.size() + length > maxBytes) {
      overflowed = true;
      current.reset();
      return;
    }
    current.write(buffer, offset, length);
  }

  private void endLine() {
    if (overflowed) {
      sink.malformed();
    } else {
      sink.line(current.toString(StandardCharsets.UTF_8));
    }
    overflowed = false;
    current.reset();
  }

  /**
   * The stream ended mid-line (the file was rotated or truncated under it): that fragment is
   * malformed, and the next bytes start a new line.
   */
  void discardPartial() {
    if (overflowed || current.size() > 0) {
      sink.malformed();
    }
    overflowed = false;
    current.reset();
  }
}
