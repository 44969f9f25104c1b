package io.containerdexporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ListenAddressTest {

  @Test
  void parsesTheExporterSyntax() {
    assertEquals(new ListenAddress("", 9338), ListenAddress.parse(":9338"));
    assertEquals(new ListenAddress("127.0.0.1", 80), ListenAddress.parse("127.0.0.1:80"));
    assertEquals(new ListenAddress("::1", 9338), ListenAddress.parse("[::1]:9338"));
    assertEquals(new ListenAddress("localhost", 0), ListenAddress.parse("localhost:0"));
  }

  @Test
  void printsWhatItParsed() {
    assertEquals(":9338", ListenAddress.parse(":9338").toString());
    assertEquals("[::1]:9338", ListenAddress.parse("[::1]:9338").toString());
  }

  @Test
  void rejectsWithAReason() {
    assertEquals(
        "not [host]:port; expected e.g. :9338 or 127.0.0.1:9338",
        assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("9338"))
            .getMessage());
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(":http"));
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse(":65536"));
    assertThrows(IllegalArgumentException.class, () -> ListenAddress.parse("::1:80"));
  }
}
