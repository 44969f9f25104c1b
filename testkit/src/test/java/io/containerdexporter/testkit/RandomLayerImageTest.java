package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomLayerImageTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  @Test
  void layerIsATarThatGnuTarExtracts() throws IOException {
    byte[] payload = new byte[1000];
    new Random(1).nextBytes(payload);
    Path tar = temp.resolve("layer.tar");
    Files.write(tar, RandomLayerImage.singleFileTar("random.bin", payload));
    Path out = Files.createDirectories(temp.resolve("out"));

    // tar complains about bad checksums and short archives, so a clean exit proves the framing.
    Commands.run(
            List.of("tar", "--extract", "--file", tar.toString(), "--directory", out.toString()),
            Duration.ofSeconds(10))
        .orThrow();

    assertArrayEquals(payload, Files.readAllBytes(out.resolve("random.bin")));
    assertEquals(
        512 + 1024 + 1024, Files.size(tar), "header, two padded data blocks, two end blocks");
  }

  @Test
  void manifestAndConfigNameTheBlobsByDigest() throws IOException {
    RandomLayerImage image = RandomLayerImage.generate(4096, new Random(2));

    JsonNode manifest = JSON.readTree(image.manifest());
    assertEquals(image.configDigest(), manifest.at("/config/digest").asText());
    assertEquals(image.config().length, manifest.at("/config/size").asLong());
    assertEquals(image.layerDigest(), manifest.at("/layers/0/digest").asText());
    assertEquals(image.layerSize(), manifest.at("/layers/0/size").asLong());
    assertEquals(4096 + 512 + 1024, image.layerSize());
    JsonNode config = JSON.readTree(image.config());
    assertEquals(
        image.layerDigest(),
        config.at("/rootfs/diff_ids/0").asText(),
        "uncompressed: digest = diff_id");
    assertEquals(RandomLayerImage.digest(image.layer()), image.layerDigest());
    assertTrue(image.manifestDigest().matches("sha256:[0-9a-f]{64}"));
  }

  @Test
  void freshRandomnessGivesFreshDigests() {
    assertNotEquals(
        RandomLayerImage.generate(64, new Random(3)).layerDigest(),
        RandomLayerImage.generate(64, new Random(4)).layerDigest());
  }
}
