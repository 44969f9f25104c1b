package io.containerdexporter.testkit;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The start line and header fields of one HTTP/1.1 message, as {@link StallingBlobProxy} reads them
 * off a socket. Only the head is parsed: bodies are piped through as bytes, which keeps Range
 * requests, 206 answers, uploads and anything else the registry speaks working without the proxy
 * having to understand them.
 */
record HttpMessageHead(String startLine, List<Header> headers) {
  /** Longer heads are refused: a registry's are a few hundred bytes; a runaway read is a bug. */
  static final int MAX_HEAD_BYTES = 64 * 1024;

  /**
   * Hop-by-hop fields that would keep a connection alive; the proxy forwards one exchange per
   * connection.
   */
  private static final Set<String> PERSISTENCE_HEADERS =
      Set.of("connection", "keep-alive", "proxy-connection");

  record Header(String name, String value) {}

  HttpMessageHead {
    headers = List.copyOf(headers);
  }

  /**
   * Reads up to and including the blank line that ends the head. Returns empty if the stream ends
   * before the first byte (a client that opened a connection and closed it again); throws if it
   * ends in the middle.
   */
  static Optional<HttpMessageHead> read(InputStream in) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
    int matched = 0; // how much of "\r\n\r\n" the last bytes were
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (raw.size() == 0) {
          return Optional.empty();
        }
        throw new EOFException("stream ended inside an HTTP head after " + raw.size() + " bytes");
      }
      raw.write(b);
      if (raw.size() > MAX_HEAD_BYTES) {
        throw new IOException("HTTP head longer than " + MAX_HEAD_BYTES + " bytes");
      }
      boolean expected = b == (matched % 2 == 0 ? '\r' : '\n');
      matched = expected ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return Optional.of(parse(raw.toString(StandardCharsets.ISO_8859_1)));
  }

  static HttpMessageHead parse(String head) {
    String[] lines = head.split("\r\n");
    List<Header> headers = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(
            new Header(
                lines[i].substring(0, colon).strip(), lines[i].substring(colon + 1).strip()));
      }
    }
    return new HttpMessageHead(lines[0], headers);
  }

  Optional<String> header(String name) {
    return headers.stream()
        .filter(h -> h.name().equalsIgnoreCase(name))
        .map(Header::value)
        .findFirst();
  }

  /** The method of a request ("GET"). */
  String method() {
    return startLine.split(" ", 2)[0];
  }

  /** The request target of a request ("/v2/x/blobs/sha256:..."), query included. */
  String target() {
    String[] parts = startLine.split(" ");
    return parts.length > 1 ? parts[1] : "";
  }

  /** The status code of a response, or -1 if the start line is not one. */
  int status() {
    String[] parts = startLine.split(" ");
    if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
      return -1;
    }
    try {
      return Integer.parseInt(parts[1]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** Content-Length, or -1 if absent or unreadable (chunked bodies have none). */
  long contentLength() {
    try {
      return header("Content-Length").map(Long::parseLong).orElse(-1L);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * The same head asking for the connection to be closed after this exchange. The proxy relies on
   * that: the upstream then marks the end of its response by closing, so the proxy never has to
   * find where a body ends.
   */
  HttpMessageHead withConnectionClose() {
    List<Header> kept = new ArrayList<>();
    for (Header header : headers) {
      if (!PERSISTENCE_HEADERS.contains(header.name().toLowerCase(java.util.Locale.ROOT))) {
        kept.add(header);
      }
    }
    kept.add(new Header("Connection", "close"));
    return new HttpMessageHead(startLine, kept);
  }

  byte[] bytes() {
    StringBuilder text = new StringBuilder(startLine).append("\r\n");
    for (Header header : headers) {
      text.append(header.name()).append(": ").append(header.value()).append("\r\n");
    }
    return text.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
  }
}
