package io.containerdexporter.proc;

import io.containerdexporter.kernelfs.KernelFileReader;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-process files the network and processes collectors read under {@code --path.procfs} (the
 * host's /proc: in a container, mount it, or run with the host's pid namespace, or no task's pid is
 * found). Never throws for a process that is gone, the usual race with a task that exits after
 * Tasks.List: that is "empty", not an error. Anything else unusable (a permission denied, a
 * malformed link or line) is counted in {@link ReadErrors} and logged once.
 */
public final class Procfs {

  public static final String NET_DEV = "net/dev";
  public static final String NS_NET = "ns/net";
  public static final String FD = "fd";
  public static final String LIMITS = "limits";

  /** "Max open files 1024 1048576 files". */
  private static final Pattern MAX_OPEN_FILES =
      Pattern.compile("(?m)^Max open files\\s+(\\d{1,19}|unlimited)\\s+\\S+\\s+files\\s*$");

  /** A process's open file descriptors, and how many of them are sockets (if counted). */
  public record OpenFiles(long descriptors, OptionalLong sockets) {}

  /**
   * What readlink gives for /proc/PID/ns/net: {@code net:[4026531992]}, the namespace's inode
   * number.
   */
  private static final Pattern NS_LINK = Pattern.compile("net:\\[(\\d{1,19})\\]");

  /**
   * net/dev is a line per interface (~130 bytes); even thousands of interfaces stay far below this.
   */
  static final int MAX_NET_DEV_BYTES = 1 << 20;

  /** limits is ~1.3 KiB, a line per resource; its "Max open files" line is the eighth. */
  static final int MAX_LIMITS_BYTES = 64 << 10;

  private final Path root;
  private final ReadErrors errors;

  public Procfs(Path root, ReadErrors errors) {
    this.root = root;
    this.errors = errors;
  }

  public ReadErrors errors() {
    return errors;
  }

  /**
   * The inode of the host's network namespace: pid 1's. Read at every poll rather than once, so
   * that an exporter that started without the permission (or the mount) recovers when it gets it.
   *
   * @throws IOException if it cannot be read: then no pod can be told from the node, and the caller
   *     must not guess
   */
  public long hostNetNamespace() throws IOException {
    Path link = root.resolve("1").resolve(NS_NET);
    String target = Files.readSymbolicLink(link).toString();
    OptionalLong inode = parseNamespaceLink(target);
    if (inode.isEmpty()) {
      throw new IOException(link + " links to '" + target + "', not net:[INODE]");
    }
    return inode.getAsLong();
  }

  /**
   * The inode of {@code pid}'s network namespace; empty if the process is gone, or if unusable
   * (counted).
   */
  public OptionalLong netNamespace(long pid) {
    Path link = root.resolve(Long.toString(pid)).resolve(NS_NET);
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      failed(NS_NET, link, pid, e);
      return OptionalLong.empty();
    }
    OptionalLong inode = parseNamespaceLink(target);
    if (inode.isEmpty()) {
      errors.record(NS_NET, link, "links to '" + target + "', not net:[INODE]");
    }
    return inode;
  }

  /**
   * The interfaces in {@code pid}'s network namespace; empty if the process is gone or the file
   * unreadable (counted). Each malformed line is left out and counted once.
   */
  public Optional<List<NetDev.Interface>> netDev(long pid) {
    Path file = root.resolve(Long.toString(pid)).resolve(NET_DEV);
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      text = KernelFileReader.readWhole(in, MAX_NET_DEV_BYTES, StandardCharsets.UTF_8);
      if (text == null) {
        errors.record(NET_DEV, file, "larger than " + MAX_NET_DEV_BYTES + " bytes");
        return Optional.empty();
      }
    } catch (IOException e) {
      failed(NET_DEV, file, pid, e);
      return Optional.empty();
    }
    NetDev.Parsed parsed = NetDev.parse(text);
    for (String line : parsed.malformed()) {
      errors.record(NET_DEV, file, "malformed line '" + line + "'");
    }
    return Optional.of(parsed.interfaces());
  }

  /**
   * The entries of {@code /proc/PID/fd}; with {@code countSockets}, each one's link is read too (a
   * descriptor closed in between is skipped). Empty if the process is gone or the directory
   * unreadable (counted).
   */
  public Optional<OpenFiles> openFiles(long pid, boolean countSockets) {
    Path dir = root.resolve(Long.toString(pid)).resolve(FD);
    long descriptors = 0;
    long sockets = 0;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir)) {
      for (Path fd : fds) {
        descriptors++;
        if (countSockets && isSocket(fd)) {
          sockets++;
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      failed(FD, dir, pid, e instanceof IOException io ? io : new IOException(e));
      return Optional.empty();
    }
    return Optional.of(
        new OpenFiles(descriptors, countSockets ? OptionalLong.of(sockets) : OptionalLong.empty()));
  }

  private static boolean isSocket(Path fd) {
    try {
      return Files.readSymbolicLink(fd).toString().startsWith("socket:[");
    } catch (IOException e) {
      return false; // closed since the listing
    }
  }

  /**
   * The soft "Max open files" of {@code /proc/PID/limits}, -1 for unlimited (as cAdvisor reports
   * it); empty if the process is gone, or the file unusable (counted).
   */
  public OptionalLong maxOpenFilesSoft(long pid) {
    Path file = root.resolve(Long.toString(pid)).resolve(LIMITS);
    String text;
    try (InputStream in = Files.newInputStream(file)) {
      text = KernelFileReader.readPrefix(in, MAX_LIMITS_BYTES, StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      failed(LIMITS, file, pid, e);
      return OptionalLong.empty();
    }
    OptionalLong soft = parseMaxOpenFilesSoft(text);
    if (soft.isEmpty()) {
      errors.record(LIMITS, file, "no usable 'Max open files' line");
    }
    return soft;
  }

  static OptionalLong parseMaxOpenFilesSoft(String text) {
    // The first line "Max open files <soft> <hard> files" (soft a count or "unlimited"), as the
    // multi-line pattern MAX_OPEN_FILES finds it; a scan of the lines first, so that the pattern
    // only ever runs on that one line (a regex over the whole file was most of the read's cost).
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      if (text.startsWith("Max open files", start)) {
        Matcher m = MAX_OPEN_FILES.matcher(text.substring(start, end));
        if (m.find()) {
          if (m.group(1).equals("unlimited")) {
            return OptionalLong.of(-1);
          }
          try {
            return OptionalLong.of(Long.parseLong(m.group(1)));
          } catch (NumberFormatException tooLarge) {
            return OptionalLong.empty();
          }
        }
      }
      start = end + 1;
    }
    return OptionalLong.empty();
  }

  /** "net:[4026531992]" → 4026531992; empty for anything else. */
  static OptionalLong parseNamespaceLink(String target) {
    Matcher m = NS_LINK.matcher(target);
    if (!m.matches()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(m.group(1)));
    } catch (NumberFormatException tooLarge) {
      return OptionalLong.empty();
    }
  }

  /**
   * A read that failed: not an error when the process is gone (ENOENT; ESRCH or another error on a
   * pid directory that no longer exists), counted otherwise (EACCES when the exporter lacks the
   * permission, EIO…).
   */
  void failed(String name, Path path, long pid, IOException e) {
    if (e instanceof NoSuchFileException || !Files.exists(root.resolve(Long.toString(pid)))) {
      return;
    }
    errors.record(name, path, e.toString());
  }
}
