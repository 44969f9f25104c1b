package io.containerdexporter.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The image ImageIT built last, kept under /var/cache/containerd-exporter/image-it/KEY, KEY being
 * the sha256 of every file the Dockerfile's build reads (itself, the poms, src/main, image/) and of
 * the stand-in bases: a rerun on unchanged sources imports it instead of rebuilding. Only the
 * newest key is kept.
 */
final class ImageCache {
  static final Path DIR =
      Path.of(System.getProperty("image.cache", "/var/cache/containerd-exporter/image-it"));
  private static final List<String> INPUTS =
      List.of(
          "Dockerfile",
          ".dockerignore",
          "image",
          "pom.xml",
          "testkit/pom.xml",
          "exporter/pom.xml",
          "testkit/src/main",
          "exporter/src/main");

  private ImageCache() {}

  static String key(Path root, Path standIns) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(standIns.toString().getBytes());
      for (String input : INPUTS) {
        try (Stream<Path> files = Files.walk(root.resolve(input))) {
          for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
            sha.update(root.relativize(file).toString().getBytes());
            sha.update(Files.readAllBytes(file));
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The cached archive and inspect output for {@code key}, or null. */
  static Path find(String key) {
    Path dir = DIR.resolve(key);
    return Files.isRegularFile(dir.resolve("inspect.json")) ? dir : null;
  }

  /** Keeps {@code archive} and {@code inspect} as the one cached image. */
  static void keep(String key, Path archive, String inspect) {
    try {
      Files.createDirectories(DIR);
      try (Stream<Path> old = Files.list(DIR)) {
        for (Path dir : old.toList()) {
          try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
              Files.delete(f);
            }
          }
          Files.delete(dir);
        }
      }
      Path dir = Files.createDirectories(DIR.resolve(key));
      Files.copy(archive, dir.resolve("image.tar"));
      Files.writeString(dir.resolve("inspect.json"), inspect);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
