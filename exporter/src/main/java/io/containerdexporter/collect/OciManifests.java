package io.containerdexporter.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.model.Descriptor;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Pure parsers of OCI and Docker image indexes and manifests: JSON bytes in, child descriptors out.
 */
final class OciManifests {

  static final Set<String> INDEX_TYPES =
      Set.of(
          "application/vnd.oci.image.index.v1+json",
          "application/vnd.docker.distribution.manifest.list.v2+json");
  static final Set<String> MANIFEST_TYPES =
      Set.of(
          "application/vnd.oci.image.manifest.v1+json",
          "application/vnd.docker.distribution.manifest.v2+json");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A platform as an index entry declares it; empty strings where absent. */
  record Platform(String os, String architecture, String variant) {}

  record IndexEntry(Descriptor descriptor, Optional<Platform> platform) {}

  private OciManifests() {}

  static boolean isIndex(Descriptor d) {
    return INDEX_TYPES.contains(d.mediaType());
  }

  static boolean isManifest(Descriptor d) {
    return MANIFEST_TYPES.contains(d.mediaType());
  }

  /**
   * The manifests an index lists. Throws IllegalArgumentException on anything that is not an index.
   */
  static List<IndexEntry> parseIndex(byte[] json) {
    JsonNode manifests = read(json).path("manifests");
    if (!manifests.isArray()) {
      throw new IllegalArgumentException("not an image index: no manifests array");
    }
    List<IndexEntry> out = new ArrayList<>();
    for (JsonNode m : manifests) {
      JsonNode p = m.path("platform");
      Optional<Platform> platform =
          p.isObject()
              ? Optional.of(
                  new Platform(
                      p.path("os").asText(""),
                      p.path("architecture").asText(""),
                      p.path("variant").asText("")))
              : Optional.empty();
      out.add(new IndexEntry(descriptor(m), platform));
    }
    return out;
  }

  /** The config and layers of a manifest, config first. */
  static List<Descriptor> parseManifest(byte[] json) {
    JsonNode root = read(json);
    if (!root.path("config").isObject() || !root.path("layers").isArray()) {
      throw new IllegalArgumentException("not an image manifest: no config or layers");
    }
    List<Descriptor> out = new ArrayList<>();
    out.add(descriptor(root.path("config")));
    for (JsonNode layer : root.path("layers")) {
      out.add(descriptor(layer));
    }
    return out;
  }

  private static Descriptor descriptor(JsonNode node) {
    String digest = node.path("digest").asText("");
    long size = node.path("size").asLong(-1);
    if (digest.isEmpty() || size < 0) {
      throw new IllegalArgumentException("descriptor without digest or size");
    }
    return new Descriptor(node.path("mediaType").asText(""), digest, size);
  }

  private static JsonNode read(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "invalid JSON: " + e.getMessage().lines().findFirst().orElse(""), e);
    }
  }
}
