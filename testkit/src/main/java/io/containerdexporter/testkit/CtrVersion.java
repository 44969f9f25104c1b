package io.containerdexporter.testkit;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The two sections of {@code ctr version}: what the client binary is and what the daemon behind the
 * socket is.
 */
public record CtrVersion(
    String clientVersion,
    String clientRevision,
    String serverVersion,
    String serverRevision,
    String serverUuid) {

  /**
   * Parses output such as
   *
   * <pre>
   * Client:
   *   Version:  1.6.20~ds1
   *   Revision: 1.6.20~ds1-1+deb12u3
   *   Go version: go1.19.8
   *
   * Server:
   *   Version:  1.6.20~ds1
   *   Revision: 1.6.20~ds1-1+deb12u3
   *   UUID: e9b716bf-...
   * </pre>
   */
  public static CtrVersion parse(String output) {
    Map<String, String> client = new LinkedHashMap<>();
    Map<String, String> server = new LinkedHashMap<>();
    Map<String, String> section = null;
    for (String line : output.split("\\R")) {
      String trimmed = line.strip();
      if (trimmed.equals("Client:")) {
        section = client;
      } else if (trimmed.equals("Server:")) {
        section = server;
      } else if (section != null && trimmed.contains(":")) {
        int colon = trimmed.indexOf(':');
        section.put(trimmed.substring(0, colon).strip(), trimmed.substring(colon + 1).strip());
      }
    }
    String serverVersion = server.get("Version");
    if (serverVersion == null || serverVersion.isEmpty()) {
      throw new IllegalArgumentException(
          "no Server section with a Version in `ctr version` output:\n" + output);
    }
    return new CtrVersion(
        client.getOrDefault("Version", ""),
        client.getOrDefault("Revision", ""),
        serverVersion,
        server.getOrDefault("Revision", ""),
        server.getOrDefault("UUID", ""));
  }
}
