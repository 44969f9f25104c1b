package io.containerdexporter.cgroup;

import io.containerdexporter.kernelfs.KernelFileReader;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;

/**
 * The files of one cgroup directory of a task, read the way every reader needs; the directory is
 * either looked at before its files ({@link #open}) or found by reading them ({@link #lazy}). One
 * rule for what cannot be used:
 *
 * <ul>
 *   <li>a file that is not there, in a directory that still is, is simply empty (its controller is
 *       not enabled, or the kernel is too old to have it): not an error;
 *   <li>a file whose text is not what the kernel writes (malformed, over {@link #MAX_FILE_BYTES})
 *       is empty and counted per file name in {@link ReadErrors}: the kernel's format, the same for
 *       every task, so only that value is left out;
 *   <li>a file that cannot be read, or a directory gone while it was read, throws {@link
 *       CgroupUnreadableException}: the reader gives the whole task up for the round (no task with
 *       half its values) and counts it in {@link CgroupReadFailures}.
 * </ul>
 *
 * <p>How "vanished" is told from "broken": a task that exits takes its cgroup directory with it,
 * and its files then fail to open (ENOENT) or fail mid-read (ENODEV). So any failure after which
 * the directory no longer exists is {@link CgroupFailure#VANISHED}, whatever the error said.
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

  /** Opens a file for reading: {@link Files#newInputStream}, or a test's stand-in that fails. */
  @FunctionalInterface
  interface Opener {
    Opener FILES = Files::newInputStream;

    InputStream open(Path file) throws IOException;
  }

  /**
   * The directories of one task's read ({@link #lazy}), which tell together whether a directory
   * found missing at its first file was never there or went while the task was read.
   */
  static final class TaskDirs {
    private Path firstFound;

    /** Whether any of the task's directories was found (a file of it opened, or found missing). */
    boolean anyFound() {
      return firstFound != null;
    }

    /** The task went while it was read: the directory found first is gone as well. */
    private boolean gone() {
      return firstFound != null && Files.notExists(firstFound);
    }
  }

  private final Path dir;
  private final ReadErrors errors;
  private final Opener opener;
  private final AbsentFiles absent;

  /** Null for a directory whose existence is not known yet; see {@link #lazy}. */
  private final TaskDirs task;

  /** Whether the directory is there: true once found, false once found missing, null before. */
  private Boolean found;

  private CgroupDir(Path dir, ReadErrors errors, Opener opener, AbsentFiles absent, TaskDirs task) {
    this.dir = dir;
    this.errors = errors;
    this.opener = opener;
    this.absent = absent;
    this.task = task;
    this.found = task == null ? Boolean.TRUE : null;
  }

  /**
   * A directory of a task's cgroup that is not looked at until its first file is read: the stat
   * that each directory cost before its first file (six or seven a task on v1, every round) is
   * spent only when a file is not there. A directory found missing at its first file counts as
   * never there (its values empty, as {@link #open} would have said) unless the task's directory
   * found first is gone too: then the task exited while it was read, {@link
   * CgroupFailure#VANISHED}, as a directory that goes after it was found.
   */
  static CgroupDir lazy(
      Path dir, ReadErrors errors, Opener opener, AbsentFiles absent, TaskDirs task) {
    return new CgroupDir(dir, errors, opener, absent, task);
  }

  /** As {@link #open(Path, ReadErrors, Opener, AbsentFiles)}, asking for every name. */
  static Optional<CgroupDir> open(Path dir, ReadErrors errors, Opener opener)
      throws CgroupUnreadableException {
    return open(dir, errors, opener, AbsentFiles.NONE);
  }

  /**
   * The cgroup directory, if it is there.
   *
   * @param absent the names its hierarchy is known to lack, which are then not asked for
   * @return empty when there is no such directory (no cgroup of this task here, or it is gone
   *     already)
   * @throws CgroupUnreadableException when it cannot even be looked at (a parent directory we may
   *     not search)
   */
  static Optional<CgroupDir> open(Path dir, ReadErrors errors, Opener opener, AbsentFiles absent)
      throws CgroupUnreadableException {
    try {
      return Files.readAttributes(dir, BasicFileAttributes.class).isDirectory()
          ? Optional.of(new CgroupDir(dir, errors, opener, absent, null))
          : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new CgroupUnreadableException(CgroupFailure.of(e), dir, describe(e));
    }
  }

  /**
   * The text of a file; empty when the file is absent (or, for PSI files, switched off).
   *
   * @throws CgroupUnreadableException when it cannot be read, or the directory went meanwhile
   */
  Optional<String> read(String name) throws CgroupUnreadableException {
    if (found == Boolean.FALSE || absent.known(name)) {
      return Optional.empty();
    }
    Path file = dir.resolve(name);
    try (InputStream in = opener.open(file)) {
      found();
      // Bytes as Latin-1: never fails to decode, and anything non-ASCII is malformed for the
      // parsers anyway.
      String text = KernelFileReader.readWhole(in, MAX_FILE_BYTES, StandardCharsets.ISO_8859_1);
      if (text == null) {
        errors.record(name, file, "larger than " + MAX_FILE_BYTES + " bytes");
        return Optional.empty();
      }
      return Optional.of(text);
    } catch (NoSuchFileException e) {
      if (Files.notExists(dir)) {
        if (found == null && !task.gone()) {
          found = Boolean.FALSE; // never there: this controller has no cgroup for the task
          return Optional.empty();
        }
        throw vanished(file, e);
      }
      found();
      absent.missing(name, dir);
      return Optional.empty();
    } catch (IOException e) {
      vanishedIfGone(file, e);
      if (notSupported(e)) {
        return Optional.empty(); // e.g. *.pressure with PSI compiled in but switched off (psi=0)
      }
      throw new CgroupUnreadableException(CgroupFailure.of(e), file, describe(e));
    }
  }

  /** The directory is there (a file of it opened, or found missing while it stood). */
  private void found() {
    if (found == null) {
      found = Boolean.TRUE;
      if (task.firstFound == null) {
        task.firstFound = dir;
      }
    }
  }

  /** A parsed file; empty when absent or malformed (the latter counted). */
  <T> Optional<T> parse(String name, Parser<T> parser) throws CgroupUnreadableException {
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
  OptionalLong value(String name) throws CgroupUnreadableException {
    return toOptionalLong(parse(name, CgroupParsers::parseValue));
  }

  /** A limit file, "max" being 0. */
  OptionalLong limit(String name) throws CgroupUnreadableException {
    return toOptionalLong(parse(name, CgroupParsers::parseLimit));
  }

  /**
   * A flat-keyed file. A malformed one is counted once and still returned, so its good keys are
   * used; empty only when the file is absent.
   */
  Optional<FlatKeyed> flat(String name) throws CgroupUnreadableException {
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
   * Names of the files matching a glob ({@code hugetlb.*.current}), sorted.
   *
   * @throws CgroupUnreadableException when the directory cannot be listed, or went meanwhile
   */
  List<String> names(String glob) throws CgroupUnreadableException {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, glob)) {
      files.forEach(f -> names.add(f.getFileName().toString()));
    } catch (DirectoryIteratorException e) {
      throw listingFailed(e.getCause());
    } catch (IOException e) {
      throw listingFailed(e);
    }
    Collections.sort(names);
    return names;
  }

  static OptionalLong toOptionalLong(Optional<Long> value) {
    return value.isPresent() ? OptionalLong.of(value.get()) : OptionalLong.empty();
  }

  private CgroupUnreadableException listingFailed(IOException e) throws CgroupUnreadableException {
    vanishedIfGone(dir, e);
    return new CgroupUnreadableException(CgroupFailure.of(e), dir, describe(e));
  }

  /** Throws VANISHED when the directory is gone now (it was there when the read began). */
  private void vanishedIfGone(Path file, IOException e) throws CgroupUnreadableException {
    if (Files.notExists(dir)) {
      throw vanished(file, e);
    }
  }

  private static CgroupUnreadableException vanished(Path file, IOException e) {
    return new CgroupUnreadableException(CgroupFailure.VANISHED, file, describe(e));
  }

  /** The errno text ("Permission denied"), without the path the log line names anyway. */
  private static String describe(IOException e) {
    if (e instanceof AccessDeniedException && ((FileSystemException) e).getReason() == null) {
      return "Permission denied";
    }
    if (e instanceof FileSystemException f) {
      return f.getReason() != null ? f.getReason() : e.getClass().getSimpleName();
    }
    return String.valueOf(e.getMessage());
  }

  private static boolean notSupported(IOException e) {
    String message = e.getMessage();
    return message != null && message.contains("Operation not supported");
  }
}
