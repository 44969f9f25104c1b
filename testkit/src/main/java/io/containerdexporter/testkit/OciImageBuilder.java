package io.containerdexporter.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds a one-layer OCI image archive from the host's static busybox, so tests have an image
 * without any registry. The layer is reproducible (fixed owner, order and mtime), so the same
 * busybox always yields the same digests.
 */
final class OciImageBuilder {
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  private static final Duration TAR_TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path busybox;

  OciImageBuilder(Path busybox) {
    this.busybox = busybox;
  }

  /**
   * Writes the archive as {@code workDir/image.tar}; the rootfs and layout stay next to it for
   * inspection.
   */
  Path build(Path workDir, String ref, List<String> cmd) throws IOException {
    Path rootfs = workDir.resolve("rootfs");
    Path layout = workDir.resolve("layout");
    Path blobs = layout.resolve("blobs").resolve("sha256");
    Files.createDirectories(blobs);
    populateRootfs(rootfs);

    Path layerTar = workDir.resolve("layer.tar");
    Commands.run(
            List.of(
                "tar",
                "--create",
                "--file",
                layerTar.toString(),
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "--sort=name",
                "--mtime=@0",
                "--directory",
                rootfs.toString(),
                "."),
            TAR_TIMEOUT)
        .orThrow();
    Blob layer = storeBlob(blobs, Files.readAllBytes(layerTar));
    Files.delete(layerTar);

    Blob config = storeBlob(blobs, JSON.writeValueAsBytes(imageConfig(cmd, layer.digest())));
    Blob manifest = storeBlob(blobs, JSON.writeValueAsBytes(manifest(config, layer)));
    Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index(manifest, ref)));
    Files.write(
        layout.resolve("oci-layout"),
        JSON.writeValueAsBytes(Map.of("imageLayoutVersion", "1.0.0")));

    Path archive = workDir.resolve("image.tar");
    Commands.run(
            List.of(
                "tar",
                "--create",
                "--file",
                archive.toString(),
                "--owner=0",
                "--group=0",
                "--numeric-owner",
                "--sort=name",
                "--mtime=@0",
                "--directory",
                layout.toString(),
                "oci-layout",
                "index.json",
                "blobs"),
            TAR_TIMEOUT)
        .orThrow();
    return archive;
  }

  private void populateRootfs(Path rootfs) throws IOException {
    Path bin = rootfs.resolve("bin");
    Files.createDirectories(bin);
    for (String dir : List.of("etc", "tmp", "root", "proc", "sys", "dev")) {
      Files.createDirectories(rootfs.resolve(dir));
    }
    Files.setPosixFilePermissions(
        rootfs.resolve("tmp"), PosixFilePermissions.fromString("rwxrwxrwx"));
    Path target = bin.resolve("busybox");
    Files.copy(busybox, target);
    Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
    for (String applet : applets()) {
      Path link = bin.resolve(applet);
      if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(link, Path.of("busybox"));
      }
    }
    Files.writeString(
        rootfs.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
    Files.writeString(rootfs.resolve("etc/group"), "root:x:0:\nnogroup:x:65534:\n");
  }

  private List<String> applets() {
    CtrResult list =
        Commands.run(List.of(busybox.toString(), "--list"), Duration.ofSeconds(10)).orThrow();
    List<String> applets = new ArrayList<>();
    for (String line : list.stdout().split("\\R")) {
      String name = line.strip();
      // "[" and "[[" are real applets; anything with a slash would escape /bin.
      if (!name.isEmpty() && !name.contains("/") && !name.equals("busybox")) {
        applets.add(name);
      }
    }
    return applets;
  }

  private static Map<String, Object> imageConfig(List<String> cmd, String layerDiffId) {
    Map<String, Object> runConfig = new LinkedHashMap<>();
    runConfig.put("Env", List.of("PATH=" + DEFAULT_PATH));
    runConfig.put("Cmd", cmd);
    runConfig.put("WorkingDir", "/");
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("created", "1970-01-01T00:00:00Z");
    config.put("architecture", ociArchitecture());
    config.put("os", "linux");
    config.put("config", runConfig);
    config.put("rootfs", Map.of("type", "layers", "diff_ids", List.of(layerDiffId)));
    return config;
  }

  private static Map<String, Object> manifest(Blob config, Blob layer) {
    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
    manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", config));
    // Uncompressed layer: its digest is also its diff_id, and import needs no decompression.
    manifest.put("layers", List.of(descriptor("application/vnd.oci.image.layer.v1.tar", layer)));
    return manifest;
  }

  private static Map<String, Object> index(Blob manifest, String ref) {
    Map<String, Object> entry = descriptor("application/vnd.oci.image.manifest.v1+json", manifest);
    entry.put("platform", Map.of("architecture", ociArchitecture(), "os", "linux"));
    Map<String, String> annotations = new LinkedHashMap<>();
    // containerd's importer names the image from this annotation; other tools read the OCI ref.name
    // (the tag).
    annotations.put("io.containerd.image.name", ref);
    annotations.put("org.opencontainers.image.ref.name", tagOf(ref));
    entry.put("annotations", annotations);
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    index.put("manifests", List.of(entry));
    return index;
  }

  static String tagOf(String ref) {
    int digestAt = ref.indexOf('@');
    String named = digestAt >= 0 ? ref.substring(0, digestAt) : ref;
    int colon = named.lastIndexOf(':');
    return colon > named.lastIndexOf('/') ? named.substring(colon + 1) : "latest";
  }

  static String ociArchitecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> arch;
    };
  }

  private static Map<String, Object> descriptor(String mediaType, Blob blob) {
    Map<String, Object> descriptor = new LinkedHashMap<>();
    descriptor.put("mediaType", mediaType);
    descriptor.put("digest", blob.digest());
    descriptor.put("size", blob.size());
    return descriptor;
  }

  private static Blob storeBlob(Path blobs, byte[] content) throws IOException {
    String hex = sha256Hex(content);
    Files.write(blobs.resolve(hex), content);
    return new Blob("sha256:" + hex, content.length);
  }

  static String sha256Hex(byte[] content) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JRE has SHA-256", e);
    }
  }

  private record Blob(String digest, long size) {}
}
