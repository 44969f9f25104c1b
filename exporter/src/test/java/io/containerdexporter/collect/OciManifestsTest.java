package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.containerdexporter.model.Descriptor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OciManifestsTest {

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void readsAnIndexWithPlatforms() {
    List<OciManifests.IndexEntry> entries =
        OciManifests.parseIndex(
            utf8(
                """
        {"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:a","size":10,
          "platform":{"architecture":"amd64","os":"linux"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:b","size":11,
          "platform":{"architecture":"arm64","os":"linux","variant":"v8"}},
         {"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:c","size":12}]}
        """));
    assertEquals(3, entries.size());
    assertEquals(
        new Descriptor("application/vnd.oci.image.manifest.v1+json", "sha256:a", 10),
        entries.get(0).descriptor());
    assertEquals(
        Optional.of(new OciManifests.Platform("linux", "arm64", "v8")), entries.get(1).platform());
    assertEquals(Optional.empty(), entries.get(2).platform());
  }

  @Test
  void readsAManifestConfigFirst() {
    List<Descriptor> children =
        OciManifests.parseManifest(
            utf8(
                """
        {"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:c","size":5},
         "layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:l1","size":100},
                   {"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:l2","size":200}]}
        """));
    assertEquals(
        List.of("sha256:c", "sha256:l1", "sha256:l2"),
        children.stream().map(Descriptor::digest).toList());
  }

  @Test
  void rejectsWhatIsNotAManifestWithAReason() {
    assertThrows(IllegalArgumentException.class, () -> OciManifests.parseManifest(utf8("{}")));
    assertThrows(
        IllegalArgumentException.class, () -> OciManifests.parseIndex(utf8("{\"manifests\":{}}")));
    assertThrows(
        IllegalArgumentException.class,
        () -> OciManifests.parseManifest(utf8("{\"config\":{},\"layers\":[]}")));
    assertThrows(IllegalArgumentException.class, () -> OciManifests.parseIndex(utf8("not json")));
  }

  /**
   * Random bytes never escape as anything but IllegalArgumentException: the caller counts and skips
   * those.
   */
  @Test
  void randomBytesOnlyEverRaiseIllegalArgument() {
    Random random = new Random(42);
    for (int i = 0; i < 2000; i++) {
      byte[] junk = new byte[random.nextInt(64)];
      random.nextBytes(junk);
      try {
        OciManifests.parseManifest(junk);
      } catch (IllegalArgumentException expected) {
        // fine
      }
      try {
        OciManifests.parseIndex(junk);
      } catch (IllegalArgumentException expected) {
        // fine
      }
    }
  }
}
