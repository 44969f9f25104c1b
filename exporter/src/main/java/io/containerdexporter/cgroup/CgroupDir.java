package io.containerdexporter.cgroup;

import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The files of one cgroup directory, read the way every reader needs: a file that is not there is
 * simply empty, a file we cannot use is counted in {@link ReadErrors} and empty, and nothing
 * throws.
 *
 * <p>How "vanished" is told from "broken": a task that exits takes its cgroup directory with it,
 * and the files then fail to open (ENOENT) or fail mid-read (ENODEV). So a {@link
 * NoSuchFileException} is never an error (the controller is not enabled here, or the cgroup is
 * gone), and any other I/O error is an error only while the directory still exists. Malformed text
 * is always an error: a vanishing cgroup makes reads fail, it does not garble them.
 */
final class CgroupDir {

  /**
   * Far above any real cgroup file (cgroup.procs of a huge container is well under this); a guard
   * against junk.
   */
  static final int MAX_FILE_BYTES = 4 << 20;

  /** Parses one file's text. */
  @FunctionalInterface
  interface Parser<T> {
    T parse(String text) throws MalformedCgroupFileException;
  }

  private final Path dir;
  private final ReadErrors errors;

  CgroupDir(Path dir, ReadErrors errors) {
    this.dir = dir;
    this.errors = errors;
  }

  boolean exists() {
    return Files.isDirectory(dir);
  }

  /** The text of a file; empty when it is absent, vanished or unreadable (the last one counted). */
  Optional<String> read(String name) {
    Path file = dir.resolve(name);
    try (InputStream in = Files.newInputStream(file)) {
      // Bytes as Latin-1: never fails to decode, and anything non-ASCII is malformed for the
      // parsers anyway.
      byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
      if (bytes.length > MAX_FILE_BYTES) {
        errors.record(name, file, "larger than " + MAX_FILE_BYTES + " bytes");
        return Optional.empty();
      }
      return Optional.of(new String(bytes, StandardCharsets.ISO_8859_1));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      if (!exists()) {
        return Optional.empty(); // the task exited while we read: not an error
      }
      if (notSupported(e)) {
        return Optional.empty(); // e.g. *.pressure with PSI compiled in but switched off (psi=0)
      }
      errors.record(name, file, e.toString());
      return Optional.empty();
    }
  }

  /** A parsed file; empty when absent, vanished, unreadable or malformed (the last two counted). */
  <T> Optional<T> parse(String name, Parser<T> parser) {
    Optional<String> text = read(name);
    return text.isEmpty() ? Optional.empty() : parse(name, text.get(), parser);
  }

  /** Text already read from file {@code name}, parsed; empty when malformed (counted). */
  <T> Optional<T> parse(String name, String text, Parser<T> parser) {
    try {
      return Optional.of(parser.parse(text));
    } catch (MalformedCgroupFileException e) {
      errors.record(name, dir.resolve(name), e.getMessage());
      return Optional.empty();
    }
  }

  /** A single-value file. */
  OptionalLong value(String name) {
    return toOptionalLong(parse(name, CgroupParsers::parseValue));
  }

  /** A limit file, "max" being 0. */
  OptionalLong limit(String name) {
    return toOptionalLong(parse(name, CgroupParsers::parseLimit));
  }

  /**
   * A flat-keyed file. A malformed one is counted once and still returned, so its good keys are
   * used; empty only when the file could not be read at all.
   */
  Optional<FlatKeyed> flat(String name) {
    Optional<FlatKeyed> parsed = read(name).map(CgroupParsers::parseFlatKeyed);
    if (parsed.isPresent() && parsed.get().malformed()) {
      errors.record(
          name,
          dir.resolve(name),
          parsed.get().badKeys().isEmpty()
              ? "unreadable line(s)"
              : "bad value(s) for " + new TreeSet<>(parsed.get().badKeys()));
    }
    return parsed;
  }

  /**
   * Names of the files matching a glob ({@code hugetlb.*.current}), sorted; empty when the
   * directory is gone or cannot be listed (nothing to count: the reads of its files would tell).
   */
  List<String> names(String glob) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    } catch (IOException | DirectoryIteratorException e) {
      return List.of();
    }
    Collections.sort(names);
    return names;
  }

  static OptionalLong toOptionalLong(Optional<Long> value) {
    return value.isPresent() ? OptionalLong.of(value.get()) : OptionalLong.empty();
  }

  private static boolean notSupported(IOException e) {
    String message = e.getMessage();
    return message != null && message.contains("Operation not supported");
  }
}
