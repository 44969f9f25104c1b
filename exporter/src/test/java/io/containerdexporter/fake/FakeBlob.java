package io.containerdexporter.fake;

import com.google.protobuf.ByteString;
import io.containerdexporter.containerd.api.types.Descriptor;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One blob of a content store: its bytes, and the digest and media type a referrer would declare
 * for it. The digest is always the real sha256 of the bytes, so the exporter's readers see what a
 * registry pull would leave behind.
 */
public record FakeBlob(String mediaType, String digest, ByteString bytes) {

  public static FakeBlob of(String mediaType, byte[] bytes) {
    return new FakeBlob(mediaType, sha256(bytes), ByteString.copyFrom(bytes));
  }

  /** A JSON document (index, manifest, config, attestation), served byte for byte as given. */
  public static FakeBlob json(String mediaType, String json) {
    return of(mediaType, json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@code size} incompressible bytes derived from {@code seed} (sha256 in counter mode): a
   * stand-in for a gzip layer, the same on every run so digests in golden files stay put.
   */
  public static FakeBlob pseudoRandom(String mediaType, String seed, int size) {
    byte[] out = new byte[size];
    int filled = 0;
    for (int block = 0; filled < size; block++) {
      byte[] chunk = sha256Bytes((seed + "/" + block).getBytes(StandardCharsets.UTF_8));
      int n = Math.min(chunk.length, size - filled);
      System.arraycopy(chunk, 0, out, filled, n);
      filled += n;
    }
    return of(mediaType, out);
  }

  public long size() {
    return bytes.size();
  }

  /** The descriptor as it appears inside an index or manifest (compact JSON, fixed key order). */
  public String descriptorJson() {
    return "{\"mediaType\":\""
        + mediaType
        + "\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size()
        + "}";
  }

  /** The descriptor as containerd's API carries it (an image record's target). */
  public Descriptor descriptor() {
    return Descriptor.newBuilder()
        .setMediaType(mediaType)
        .setDigest(digest)
        .setSize(size())
        .build();
  }

  static String sha256(byte[] bytes) {
    return "sha256:" + HexFormat.of().formatHex(sha256Bytes(bytes));
  }

  private static byte[] sha256Bytes(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError("every JVM has SHA-256", e);
    }
  }
}
