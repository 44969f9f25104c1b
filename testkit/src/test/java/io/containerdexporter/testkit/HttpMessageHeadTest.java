package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HttpMessageHeadTest {

  @Test
  void readsOnlyTheHeadAndLeavesTheBody() throws IOException {
    InputStream in =
        stream("GET /v2/x/blobs/sha256:ab HTTP/1.1\r\nHost: h\r\nRange: bytes=5-\r\n\r\nBODY");

    HttpMessageHead head = HttpMessageHead.read(in).orElseThrow();

    assertEquals("GET", head.method());
    assertEquals("/v2/x/blobs/sha256:ab", head.target());
    assertEquals(Optional.of("bytes=5-"), head.header("range"), "names are case-insensitive");
    assertEquals("BODY", new String(in.readAllBytes(), StandardCharsets.US_ASCII));
  }

  @Test
  void parsesResponses() throws IOException {
    HttpMessageHead head =
        HttpMessageHead.read(stream("HTTP/1.1 206 Partial Content\r\nContent-Length: 42\r\n\r\n"))
            .orElseThrow();

    assertEquals(206, head.status());
    assertEquals(42, head.contentLength());
    assertEquals(-1, HttpMessageHead.parse("HTTP/1.1 200 OK\r\n").contentLength());
    assertEquals(-1, HttpMessageHead.parse("GET / HTTP/1.1\r\n").status());
  }

  @Test
  void aLoneCarriageReturnDoesNotEndTheHead() throws IOException {
    HttpMessageHead head =
        HttpMessageHead.read(stream("HTTP/1.1 200 OK\r\nX: a\r\r\nY: b\r\n\r\n")).orElseThrow();

    assertEquals(Optional.of("b"), head.header("Y"));
  }

  @Test
  void emptyStreamIsNoMessageButATruncatedHeadIsAnError() {
    assertEquals(Optional.empty(), assertDoesNotThrowIo(() -> HttpMessageHead.read(stream(""))));
    assertThrows(
        EOFException.class, () -> HttpMessageHead.read(stream("GET / HTTP/1.1\r\nHost: h\r\n")));
  }

  @Test
  void asksForCloseInsteadOfKeepAlive() {
    HttpMessageHead head =
        HttpMessageHead.parse(
            "GET /v2/ HTTP/1.1\r\nHost: h\r\nConnection: keep-alive\r\nKeep-Alive: 5\r\nAccept: */*\r\n");

    byte[] rewritten = head.withConnectionClose().bytes();

    assertArrayEquals(
        ("GET /v2/ HTTP/1.1\r\nHost: h\r\nAccept: */*\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII),
        rewritten);
  }

  @Test
  void refusesEndlessHeads() {
    String endless =
        "GET / HTTP/1.1\r\n" + "X: y\r\n".repeat(HttpMessageHead.MAX_HEAD_BYTES / 6 + 1);
    IOException e =
        assertThrows(IOException.class, () -> HttpMessageHead.read(stream(endless + "\r\n")));
    assertTrue(e.getMessage().contains("longer than"), e.getMessage());
  }

  private static InputStream stream(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  private interface IoCall<T> {
    T call() throws IOException;
  }

  private static <T> T assertDoesNotThrowIo(IoCall<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
