package io.containerdexporter.fake;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A realistic image as a pull leaves it in a content store: the blob an image record points at
 * ({@code target}) and every blob reachable from it. Digests are the sha256 of the exact JSON
 * served, so an exporter that reads the index and manifests through Content.Read sees a consistent
 * graph.
 *
 * @param target the index or manifest an image record names
 * @param blobs every blob of the image, the target first
 */
public record FakeImage(FakeBlob target, List<FakeBlob> blobs) {

  public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
  public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip";
  public static final String IN_TOTO = "application/vnd.in-toto+json";
  public static final String DOCKER_MANIFEST =
      "application/vnd.docker.distribution.manifest.v2+json";
  public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
  public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar.gzip";

  public FakeImage {
    blobs = List.copyOf(blobs);
  }

  /**
   * The blobs of one platform's manifest: the manifest itself, then its config, then its layers.
   */
  public record Platform(FakeBlob manifest, FakeBlob config, List<FakeBlob> layers) {

    public Platform {
      layers = List.copyOf(layers);
    }

    List<FakeBlob> all() {
      List<FakeBlob> out = new ArrayList<>(List.of(manifest, config));
      out.addAll(layers);
      return out;
    }
  }

  /**
   * What BuildKit pushes for {@code docker buildx build --platform linux/amd64,linux/arm64}: an OCI
   * index listing a linux/amd64 and a linux/arm64 manifest and, for amd64, an attestation manifest
   * (platform unknown/unknown, two in-toto layers). Every manifest has a config and two layers. All
   * blobs are in the store (as after {@code ctr images pull --all-platforms}), so a sizer must skip
   * the foreign ones by platform, not by absence.
   *
   * @param amd64LayerSizes and {@code arm64LayerSizes}: the byte sizes of the two layers of each
   *     platform
   */
  public static FakeImage multiPlatformIndex(
      String seed, int[] amd64LayerSizes, int[] arm64LayerSizes) {
    Platform amd64 = platform(seed, "amd64", amd64LayerSizes);
    Platform arm64 = platform(seed, "arm64", arm64LayerSizes);
    Platform attestation = attestation(seed, amd64.manifest());
    String index =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + OCI_INDEX
            + "\",\"manifests\":["
            + entry(amd64.manifest(), "{\"architecture\":\"amd64\",\"os\":\"linux\"}", "")
            + ","
            + entry(
                arm64.manifest(),
                "{\"architecture\":\"arm64\",\"os\":\"linux\",\"variant\":\"v8\"}",
                "")
            + ","
            + entry(
                attestation.manifest(),
                "{\"architecture\":\"unknown\",\"os\":\"unknown\"}",
                "\"annotations\":{\"vnd.docker.reference.digest\":\""
                    + amd64.manifest().digest()
                    + "\",\"vnd.docker.reference.type\":\"attestation-manifest\"}")
            + "]}";
    FakeBlob indexBlob = FakeBlob.json(OCI_INDEX, index);
    List<FakeBlob> all = new ArrayList<>(List.of(indexBlob));
    all.addAll(amd64.all());
    all.addAll(arm64.all());
    all.addAll(attestation.all());
    return new FakeImage(indexBlob, all);
  }

  /**
   * A Docker schema 2 image with no index (what many older Docker Hub tags still are): manifest,
   * config, 2 layers.
   */
  public static FakeImage singleManifest(String seed, int[] layerSizes) {
    FakeBlob config = FakeBlob.json(DOCKER_CONFIG, config(seed, "amd64", layerSizes.length));
    List<FakeBlob> layers = layers(seed + "/amd64", DOCKER_LAYER, layerSizes);
    FakeBlob manifest = FakeBlob.json(DOCKER_MANIFEST, manifest(DOCKER_MANIFEST, config, layers));
    List<FakeBlob> all = new ArrayList<>(List.of(manifest, config));
    all.addAll(layers);
    return new FakeImage(manifest, all);
  }

  private static Platform platform(String seed, String arch, int[] layerSizes) {
    FakeBlob config = FakeBlob.json(OCI_CONFIG, config(seed, arch, layerSizes.length));
    List<FakeBlob> layers = layers(seed + "/" + arch, OCI_LAYER, layerSizes);
    return new Platform(
        FakeBlob.json(OCI_MANIFEST, manifest(OCI_MANIFEST, config, layers)), config, layers);
  }

  private static Platform attestation(String seed, FakeBlob subject) {
    FakeBlob config =
        FakeBlob.json(
            OCI_CONFIG,
            "{\"architecture\":\"unknown\",\"os\":\"unknown\",\"config\":{},\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[]}}");
    List<FakeBlob> layers =
        List.of(
            FakeBlob.json(IN_TOTO, statement(seed, subject, "https://spdx.dev/Document")),
            FakeBlob.json(IN_TOTO, statement(seed, subject, "https://slsa.dev/provenance/v0.2")));
    return new Platform(
        FakeBlob.json(OCI_MANIFEST, manifest(OCI_MANIFEST, config, layers)), config, layers);
  }

  private static String statement(String seed, FakeBlob subject, String predicateType) {
    return "{\"_type\":\"https://in-toto.io/Statement/v0.1\",\"predicateType\":\""
        + predicateType
        + "\",\"subject\":[{\"name\":\""
        + seed
        + "\",\"digest\":{\"sha256\":\""
        + subject.digest().substring("sha256:".length())
        + "\"}}],\"predicate\":{}}";
  }

  private static String entry(FakeBlob manifest, String platform, String annotations) {
    String descriptor = manifest.descriptorJson();
    return descriptor.substring(0, descriptor.length() - 1)
        + ",\"platform\":"
        + platform
        + (annotations.isEmpty() ? "" : "," + annotations)
        + "}";
  }

  private static String manifest(String mediaType, FakeBlob config, List<FakeBlob> layers) {
    StringBuilder json =
        new StringBuilder(
            "{\"schemaVersion\":2,\"mediaType\":\""
                + mediaType
                + "\",\"config\":"
                + config.descriptorJson()
                + ",\"layers\":[");
    for (int i = 0; i < layers.size(); i++) {
      json.append(i == 0 ? "" : ",").append(layers.get(i).descriptorJson());
    }
    return json.append("]}").toString();
  }

  private static String config(String seed, String arch, int layerCount) {
    StringBuilder diffIds = new StringBuilder();
    for (int i = 0; i < layerCount; i++) {
      // diff_ids name the uncompressed layers; any stable digest will do, nobody decompresses fake
      // layers.
      diffIds
          .append(i == 0 ? "" : ",")
          .append('"')
          .append(
              FakeBlob.sha256((seed + "/" + arch + "/diff/" + i).getBytes(StandardCharsets.UTF_8)))
          .append('"');
    }
    return "{\"architecture\":\""
        + arch
        + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"/"
        + seed
        + "\"]},"
        + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":["
        + diffIds
        + "]}}";
  }

  private static List<FakeBlob> layers(String seed, String mediaType, int[] sizes) {
    List<FakeBlob> out = new ArrayList<>();
    for (int i = 0; i < sizes.length; i++) {
      out.add(FakeBlob.pseudoRandom(mediaType, seed + "/layer/" + i, sizes[i]));
    }
    return out;
  }
}
