package io.containerdexporter.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A one-layer OCI image whose layer is an uncompressed tar holding one file of random bytes, kept
 * in memory for {@link Registry#pushRandomImage}. Random bytes because they are incompressible and,
 * drawn afresh each time, never already in containerd's content store: content is shared across
 * namespaces, so a blob the daemon already holds would be "pulled" without a single byte moving.
 */
final class RandomLayerImage {
  static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG_MEDIA_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_MEDIA_TYPE = "application/vnd.oci.image.layer.v1.tar";
  static final String PAYLOAD_FILE = "random.bin";
  private static final int BLOCK = 512;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final byte[] layer;
  private final byte[] config;
  private final byte[] manifest;
  private final String layerDigest;

  private RandomLayerImage(byte[] layer, String layerDigest, byte[] config, byte[] manifest) {
    this.layer = layer;
    this.layerDigest = layerDigest;
    this.config = config;
    this.manifest = manifest;
  }

  /**
   * An image whose single file is {@code payloadBytes} long; the layer is 1.5 KiB of tar framing
   * larger.
   */
  static RandomLayerImage generate(int payloadBytes, Random random) {
    byte[] payload = new byte[payloadBytes];
    random.nextBytes(payload);
    byte[] layer = singleFileTar(PAYLOAD_FILE, payload);
    String layerDigest = digest(layer);
    byte[] config = json(imageConfig(layerDigest));
    byte[] manifest = json(manifest(config, layer));
    return new RandomLayerImage(layer, layerDigest, config, manifest);
  }

  /** The layer itself, not a copy: it may be hundreds of MiB; callers must not modify it. */
  byte[] layer() {
    return layer;
  }

  byte[] config() {
    return config.clone();
  }

  byte[] manifest() {
    return manifest.clone();
  }

  String layerDigest() {
    return layerDigest;
  }

  String configDigest() {
    return digest(config);
  }

  String manifestDigest() {
    return digest(manifest);
  }

  long layerSize() {
    return layer.length;
  }

  static String digest(byte[] content) {
    return "sha256:" + OciImageBuilder.sha256Hex(content);
  }

  /**
   * A POSIX ustar archive with one regular file (mode 0644, owner 0:0, mtime 0) and the two zero
   * blocks that end it. Written by hand so the layer needs neither a temp file nor the tar binary.
   */
  static byte[] singleFileTar(String name, byte[] content) {
    byte[] nameBytes = name.getBytes(StandardCharsets.US_ASCII);
    if (nameBytes.length > 100) {
      throw new IllegalArgumentException("ustar names are at most 100 bytes: " + name);
    }
    int padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
    byte[] tar = new byte[BLOCK + padded + 2 * BLOCK];
    System.arraycopy(nameBytes, 0, tar, 0, nameBytes.length);
    octal(tar, 100, 8, 0644);
    octal(tar, 108, 8, 0); // uid
    octal(tar, 116, 8, 0); // gid
    octal(tar, 124, 12, content.length); // size
    octal(tar, 136, 12, 0); // mtime
    tar[156] = '0'; // regular file
    ascii(tar, 257, "ustar\0");
    ascii(tar, 263, "00");
    // The checksum is computed with its own field read as eight spaces, then written as 6 digits,
    // NUL, space.
    ascii(tar, 148, "        ");
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += tar[i] & 0xff;
    }
    octal(tar, 148, 7, sum);
    tar[155] = ' ';
    System.arraycopy(content, 0, tar, BLOCK, content.length);
    return tar;
  }

  /** {@code width - 1} zero-padded octal digits and a terminating NUL. */
  private static void octal(byte[] block, int offset, int width, long value) {
    String digits = Long.toOctalString(value);
    if (digits.length() > width - 1) {
      throw new IllegalArgumentException(value + " does not fit a " + width + "-byte tar field");
    }
    ascii(block, offset, "0".repeat(width - 1 - digits.length()) + digits + "\0");
  }

  private static void ascii(byte[] block, int offset, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(bytes, 0, block, offset, bytes.length);
  }

  private static Map<String, Object> imageConfig(String layerDigest) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("created", "1970-01-01T00:00:00Z");
    config.put("architecture", OciImageBuilder.ociArchitecture());
    config.put("os", "linux");
    config.put("config", Map.of("Env", List.of("PATH=" + OciImageBuilder.DEFAULT_PATH)));
    // Uncompressed layer: its digest is its diff_id, so unpacking after a pull needs no
    // decompression.
    config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDigest)));
    return config;
  }

  private static Map<String, Object> manifest(byte[] config, byte[] layer) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MANIFEST_MEDIA_TYPE);
    manifest.put("config", descriptor(CONFIG_MEDIA_TYPE, config));
    manifest.put("layers", List.of(descriptor(LAYER_MEDIA_TYPE, layer)));
    return manifest;
  }

  private static Map<String, Object> descriptor(String mediaType, byte[] blob) {
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", digest(blob));
    descriptor.put("size", blob.length);
    return descriptor;
  }

  private static byte[] json(Object value) {
    try {
      return JSON.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("maps of strings and numbers always serialize", e);
    }
  }
}
