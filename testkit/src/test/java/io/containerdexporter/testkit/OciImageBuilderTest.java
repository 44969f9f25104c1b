package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Needs only /bin/busybox and tar (no daemon, no root), so it runs with the unit tests. */
class OciImageBuilderTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void buildsAConsistentOciLayout() throws IOException {
    Path archive =
        new OciImageBuilder(busybox())
            .build(temp.resolve("a"), "example.com/busybox:1.0", List.of("/bin/sleep", "10"));

    assertTrue(Files.size(archive) > 1_000_000, "archive holds busybox");
    Path layout = temp.resolve("a/layout");
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    JsonNode entry = index.get("manifests").get(0);
    assertEquals(
        "example.com/busybox:1.0",
        entry.get("annotations").get("io.containerd.image.name").asText());
    assertEquals("1.0", entry.get("annotations").get("org.opencontainers.image.ref.name").asText());

    JsonNode manifest = JSON.readTree(blob(layout, entry.get("digest").asText()));
    JsonNode config = JSON.readTree(blob(layout, manifest.get("config").get("digest").asText()));
    String layerDigest = manifest.get("layers").get(0).get("digest").asText();
    assertEquals(
        layerDigest,
        config.get("rootfs").get("diff_ids").get(0).asText(),
        "uncompressed: digest = diff_id");
    assertEquals("[\"/bin/sleep\",\"10\"]", config.get("config").get("Cmd").toString());
    assertEquals("linux", config.get("os").asText());

    for (String digest :
        List.of(
            entry.get("digest").asText(),
            manifest.get("config").get("digest").asText(),
            layerDigest)) {
      assertEquals(
          digest,
          "sha256:" + OciImageBuilder.sha256Hex(blob(layout, digest)),
          "blob content matches name");
    }
  }

  @Test
  void isReproducible() throws IOException {
    Path busybox = busybox();
    new OciImageBuilder(busybox).build(temp.resolve("a"), "x:1", List.of("/bin/sh"));
    new OciImageBuilder(busybox).build(temp.resolve("b"), "x:1", List.of("/bin/sh"));

    assertEquals(
        Files.readString(temp.resolve("a/layout/index.json")),
        Files.readString(temp.resolve("b/layout/index.json")));
  }

  @Test
  void tagDefaultsToLatest() {
    assertEquals("latest", OciImageBuilder.tagOf("localhost:5000/busybox"));
    assertEquals("3.6", OciImageBuilder.tagOf("registry.k8s.io/pause:3.6"));
    assertEquals("v1", OciImageBuilder.tagOf("localhost:5000/busybox:v1@sha256:abc"));
  }

  private static byte[] blob(Path layout, String digest) throws IOException {
    return Files.readAllBytes(
        layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length())));
  }

  private static Path busybox() {
    return Preconditions.BUSYBOX_CANDIDATES.stream()
        .filter(Files::isExecutable)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no busybox: " + Preconditions.INSTALL_HINT));
  }
}
