package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RegistryTest {

  @Test
  void configPointsStorageAndListenerAtOurs() {
    String yaml = Registry.config(Path.of("/tmp/ctrd-registry-1/storage"), "127.0.0.1:5123");

    assertTrue(yaml.contains("rootdirectory: \"/tmp/ctrd-registry-1/storage\"\n"), yaml);
    assertTrue(yaml.contains("  addr: \"127.0.0.1:5123\"\n"), yaml);
    assertTrue(yaml.startsWith("version: 0.1\n"), yaml);
  }
}
