package io.containerdexporter.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Templates for the synthetic node's files, and the one rule that makes every task's copy its own:
 * the counters of a template are scaled by a per-task factor, so each file keeps its real shape and
 * (within a digit) its real size. Device numbers ({@code 8:0}), decimals ({@code avg10=1.25}),
 * small numbers (flags, zeros) and "unlimited" values (16+ digits) stay as they are.
 */
final class SyntheticFiles {

  /** A run of 3 to 15 digits not touching a '.', ':' or another digit. */
  private static final Pattern COUNTER = Pattern.compile("(?<![\\d.:])\\d{3,15}(?![\\d.:])");

  private SyntheticFiles() {}

  /** {@code template} with each counter multiplied by {@code factor} (≥ 0). */
  static String scaled(String template, double factor) {
    Matcher m = COUNTER.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 16);
    while (m.find()) {
      long value = Long.parseLong(m.group());
      m.appendReplacement(out, Long.toString(Math.round(value * factor)));
    }
    m.appendTail(out);
    return out.toString();
  }

  /**
   * The files of the one task cgroup directory (a {@code *.scope}) under {@code fixture} in the
   * committed cgroupfs fixture trees (exporter/src/test/resources/cgroupfs), by file name; these
   * are copied from a real kernel's files (see that directory's README).
   */
  static Map<String, String> scope(String fixture) {
    Path root = resource("/cgroupfs/" + fixture);
    try (Stream<Path> paths = Files.walk(root)) {
      Path scope =
          paths
              .filter(p -> Files.isDirectory(p) && p.getFileName().toString().endsWith(".scope"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("no *.scope under " + root));
      return files(scope);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The regular files directly in a fixture directory, by name. */
  static Map<String, String> files(String fixtureDir) {
    return files(resource(fixtureDir));
  }

  private static Map<String, String> files(Path dir) {
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> list = Files.list(dir)) {
      for (Path f : list.sorted().toList()) {
        if (Files.isRegularFile(f) && !f.getFileName().toString().equals("README.md")) {
          files.put(f.getFileName().toString(), Files.readString(f, StandardCharsets.ISO_8859_1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  /** A file of the test resources as text. */
  static String text(String resource) {
    try (InputStream in = SyntheticFiles.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("test resource not found: " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path resource(String name) {
    URL url = SyntheticFiles.class.getResource(name);
    if (url == null) {
      throw new IllegalStateException("test resource not found: " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Writes {@code file} whole or not at all: the node advances its files while exporters read them,
   * and a reader must never see a truncated file (a kernel's cgroup file is never half-written).
   * The temporary name starts with a dot, so no reader's glob matches it.
   */
  static void write(Path file, String text) {
    try {
      Files.createDirectories(file.getParent());
      Path partial = file.resolveSibling("." + file.getFileName() + ".partial");
      Files.writeString(partial, text, StandardCharsets.ISO_8859_1);
      Files.move(
          partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void link(Path link, String target) {
    try {
      Files.createDirectories(link.getParent());
      Files.deleteIfExists(link);
      Files.createSymbolicLink(link, Path.of(target));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
