package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CtrVersionTest {
  private static final String CTR_1_6_OUTPUT =
      """
            Client:
              Version:  1.6.20~ds1
              Revision: 1.6.20~ds1-1+deb12u3
              Go version: go1.19.8

            Server:
              Version:  1.6.20~ds1
              Revision: 1.6.20~ds1-1+deb12u3
              UUID: e9b716bf-868f-4911-b034-b1b4d52448b7
            """;

  @Test
  void readsBothSections() {
    CtrVersion version = CtrVersion.parse(CTR_1_6_OUTPUT);

    assertEquals("1.6.20~ds1", version.clientVersion());
    assertEquals("1.6.20~ds1-1+deb12u3", version.clientRevision());
    assertEquals("1.6.20~ds1", version.serverVersion());
    assertEquals("1.6.20~ds1-1+deb12u3", version.serverRevision());
    assertEquals("e9b716bf-868f-4911-b034-b1b4d52448b7", version.serverUuid());
  }

  @Test
  void clientAndServerMayDiffer() {
    String output =
        CTR_1_6_OUTPUT.replace("Server:\n  Version:  1.6.20~ds1", "Server:\n  Version:  v2.1.9");

    assertEquals("v2.1.9", CtrVersion.parse(output).serverVersion());
    assertEquals("1.6.20~ds1", CtrVersion.parse(output).clientVersion());
  }

  @Test
  void refusesOutputWithoutServer() {
    String clientOnly = CTR_1_6_OUTPUT.substring(0, CTR_1_6_OUTPUT.indexOf("Server:"));

    assertThrows(IllegalArgumentException.class, () -> CtrVersion.parse(clientOnly));
  }
}
