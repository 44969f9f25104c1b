package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.model.Descriptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ImageSizerTest {

  private static final String INDEX = "application/vnd.oci.image.index.v1+json";
  private static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";

  private final Map<String, String> blobs = new HashMap<>();
  private final AtomicInteger reads = new AtomicInteger();
  private final ImageSizer.BlobReader reader =
      (ns, digest, max) -> {
        reads.incrementAndGet();
        String json = blobs.get(digest);
        if (json == null) {
          throw Status.NOT_FOUND.withDescription(digest).asRuntimeException();
        }
        return json.getBytes(StandardCharsets.UTF_8);
      };
  private final ImageSizer sizer = new ImageSizer(reader, new HostPlatform("linux", "amd64", ""));

  private static String manifest(String config, long configSize, String layer, long layerSize) {
    return """
        {"config":{"mediaType":"c","digest":"%s","size":%d},"layers":[{"mediaType":"l","digest":"%s","size":%d}]}
        """
        .formatted(config, configSize, layer, layerSize);
  }

  @Test
  void anIndexCountsOnlyTheHostManifestAndItsBlobs() {
    blobs.put(
        "sha256:idx",
        """
        {"manifests":[
          {"mediaType":"%s","digest":"sha256:arm","size":300,"platform":{"os":"linux","architecture":"arm64"}},
          {"mediaType":"%s","digest":"sha256:amd","size":400,"platform":{"os":"linux","architecture":"amd64"}},
          {"mediaType":"%s","digest":"sha256:att","size":500,"platform":{"os":"unknown","architecture":"unknown"}}]}
        """
            .formatted(MANIFEST, MANIFEST, MANIFEST));
    blobs.put("sha256:amd", manifest("sha256:cfg", 30, "sha256:layer", 1000));
    blobs.put("sha256:arm", manifest("sha256:cfg-arm", 31, "sha256:layer-arm", 2000));

    Map<String, Descriptor> found = sizer.blobs("ns", new Descriptor(INDEX, "sha256:idx", 900));
    assertEquals(
        List.of("sha256:idx", "sha256:amd", "sha256:cfg", "sha256:layer"),
        List.copyOf(found.keySet()));
    assertEquals(900 + 400 + 30 + 1000, ImageSizer.totalBytes(found));
  }

  @Test
  void manifestsAreReadOncePerDigest() {
    blobs.put("sha256:m", manifest("sha256:c", 1, "sha256:l", 2));
    Descriptor target = new Descriptor(MANIFEST, "sha256:m", 3);
    sizer.blobs("a", target);
    sizer.blobs("b", target);
    assertEquals(1, reads.get());
  }

  @Test
  void aMissingManifestIsCountedButNotDescended() {
    Map<String, Descriptor> found = sizer.blobs("ns", new Descriptor(MANIFEST, "sha256:gone", 77));
    assertEquals(77, ImageSizer.totalBytes(found));
  }

  @Test
  void aMalformedManifestIsCountedOnceAndSizedAsALeaf() {
    blobs.put("sha256:bad", "{\"config\": 12}");
    Descriptor target = new Descriptor(MANIFEST, "sha256:bad", 50);
    assertEquals(50, ImageSizer.totalBytes(sizer.blobs("ns", target)));
    assertEquals(50, ImageSizer.totalBytes(sizer.blobs("ns", target)));
    assertEquals(1, sizer.malformedManifests());
  }
}
