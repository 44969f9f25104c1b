package io.containerdexporter.proc;

import io.containerdexporter.kernelfs.KernelFileReader;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What the process collector reads of any process under {@code --path.procfs}: {@code stat}, {@code
 * status}, {@code fd/} and {@code cmdline}, and the boot time from {@code /proc/stat}. A process
 * that is gone is "empty", not an error (the usual race with an exiting shim); anything else
 * unusable is counted in {@link ReadErrors} and logged once.
 */
public final class ProcessFiles {

  /**
   * USER_HZ, the unit of stat's times: 100 on every architecture Linux runs containerd on (the
   * kernel scales its internal HZ to it for userspace), what procps and node_exporter assume too.
   */
  static final double TICKS_PER_SECOND = 100;

  /** A command line is a few hundred bytes; a shim's under 300. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  /** A line per unix socket of the namespace (~100 bytes): tens of thousands fit. */
  static final int MAX_UNIX_TABLE_BYTES = 16 << 20;

  /** One process's resource usage. */
  public record Usage(
      long pid,
      double cpuSeconds,
      long residentBytes,
      long threads,
      OptionalLong openFds,
      double startTimeSeconds) {}

  /** The fields of {@code /proc/PID/stat} used here, in clock ticks. */
  record Stat(long userTicks, long systemTicks, long startTicks) {}

  /** The fields of {@code /proc/PID/status} used here. */
  record Status(long residentBytes, long threads) {}

  private final Path root;
  private final ReadErrors errors;
  // The fd listing and the rule for what counts as a failed read are Procfs's; only the counter
  // they go to is this collector's own.
  private final Procfs procfs;

  public ProcessFiles(Path root, ReadErrors errors) {
    this.root = root;
    this.errors = errors;
    this.procfs = new Procfs(root, errors);
  }

  public ReadErrors errors() {
    return errors;
  }

  /** Whether {@code pid} exists under this procfs (false: gone, or in another pid namespace). */
  public boolean exists(long pid) {
    return pid > 0 && Files.isDirectory(root.resolve(Long.toString(pid)));
  }

  /** Every pid under this procfs; empty if it cannot be listed (counted). */
  public List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(root)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit) && name.length() < 19) {
          pids.add(Long.parseLong(name));
        }
      }
    } catch (IOException e) {
      errors.record("", root, e.toString());
    }
    return pids;
  }

  /** The arguments of {@code pid}, argv[0] first; empty if gone or unreadable (counted). */
  public Optional<List<String>> cmdline(long pid) {
    return read(pid, "cmdline").map(ProcessFiles::parseCmdline);
  }

  /**
   * {@code pid}'s usage; empty if gone, or if stat or status is unusable (counted), or without the
   * boot time.
   *
   * @param boot {@link #bootTime()}, read once for all the processes of a round: /proc/stat is one
   *     of procfs's dearest files (a line per CPU, and every interrupt's count)
   */
  public Optional<Usage> usage(long pid, OptionalLong boot) {
    return usage(pid, boot, true);
  }

  /**
   * As {@link #usage(long, OptionalLong)}; without {@code countFds} its open fds are not listed (a
   * directory read per process: the shims' totals have no use for them) and {@link Usage#openFds}
   * is empty.
   */
  public Optional<Usage> usage(long pid, OptionalLong boot, boolean countFds) {
    if (boot.isEmpty()) {
      return Optional.empty();
    }
    Optional<Stat> stat = read(pid, "stat").flatMap(text -> parsed(pid, "stat", parseStat(text)));
    Optional<Status> status =
        read(pid, "status").flatMap(text -> parsed(pid, "status", parseStatus(text)));
    if (stat.isEmpty() || status.isEmpty()) {
      return Optional.empty();
    }
    Stat s = stat.get();
    return Optional.of(
        new Usage(
            pid,
            (s.userTicks() + s.systemTicks()) / TICKS_PER_SECOND,
            status.get().residentBytes(),
            status.get().threads(),
            countFds ? openFds(pid) : OptionalLong.empty(),
            boot.getAsLong() + s.startTicks() / TICKS_PER_SECOND));
  }

  /**
   * The inode of the listening unix socket {@code socket}, from pid 1's {@code net/unix} (the
   * host's network namespace, where containerd listens): with {@link #holderOf}, how a containerd
   * that does not report its pid (before 1.6.25) is found.
   */
  public OptionalLong listeningInode(Path socket) {
    Path table = root.resolve("1").resolve("net").resolve("unix");
    try {
      return listeningInode(readBounded(table, MAX_UNIX_TABLE_BYTES), socket.toString());
    } catch (IOException e) {
      errors.record("net/unix", table, e.toString());
      return OptionalLong.empty();
    }
  }

  /**
   * The process holding an fd to socket {@code inode}. Scans every process's fds, so callers keep
   * the answer while that process lives.
   */
  public OptionalLong holderOf(long inode) throws InterruptedException {
    String target = "socket:[" + inode + "]";
    for (long pid : pids()) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("socket owner search interrupted");
      }
      try (DirectoryStream<Path> fds =
          Files.newDirectoryStream(root.resolve(Long.toString(pid)).resolve("fd"))) {
        for (Path fd : fds) {
          if (target.equals(readLinkOrEmpty(fd))) {
            return OptionalLong.of(pid);
          }
        }
      } catch (IOException gone) {
        // exited, or a process the exporter may not inspect: not the one sought
      }
    }
    return OptionalLong.empty();
  }

  private static String readLinkOrEmpty(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * A listening socket's line has the flag __SO_ACCEPTCON (00010000); accepted ones share the path.
   */
  static OptionalLong listeningInode(String netUnix, String path) {
    for (String line : netUnix.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 8 && f[7].equals(path) && f[3].equals("00010000")) {
        try {
          return OptionalLong.of(Long.parseLong(f[6]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /** Entries of {@code /proc/PID/fd}; empty if gone or not readable (counted: needs root). */
  OptionalLong openFds(long pid) {
    return procfs
        .openFiles(pid, false)
        .map(files -> OptionalLong.of(files.descriptors()))
        .orElse(OptionalLong.empty());
  }

  /**
   * Seconds since the epoch at boot: the {@code btime} line of {@code /proc/stat}; empty if
   * unreadable (counted).
   */
  public OptionalLong bootTime() {
    Path file = root.resolve("stat");
    try {
      OptionalLong btime = parseBootTime(readBounded(file));
      if (btime.isEmpty()) {
        errors.record("stat", file, "no btime line");
      }
      return btime;
    } catch (IOException e) {
      errors.record("stat", file, e.toString());
      return OptionalLong.empty();
    }
  }

  private <T> Optional<T> parsed(long pid, String name, Optional<T> value) {
    if (value.isEmpty()) {
      errors.record(name, root.resolve(Long.toString(pid)).resolve(name), "malformed");
    }
    return value;
  }

  private Optional<String> read(long pid, String name) {
    Path file = root.resolve(Long.toString(pid)).resolve(name);
    try {
      return Optional.of(readBounded(file));
    } catch (IOException e) {
      failed(name, file, pid, e);
      return Optional.empty();
    }
  }

  private static String readBounded(Path file) throws IOException {
    return readBounded(file, MAX_FILE_BYTES);
  }

  private static String readBounded(Path file, int max) throws IOException {
    // procfs files report size 0, so read up to a bound rather than by their size.
    try (InputStream in = Files.newInputStream(file)) {
      return KernelFileReader.readPrefix(in, max, StandardCharsets.UTF_8);
    }
  }

  /** Not an error when the process is gone; counted otherwise (EACCES, EIO…). */
  private void failed(String name, Path path, long pid, IOException e) {
    procfs.failed(name, path, pid, e);
  }

  /**
   * {@code /proc/PID/stat}: fields after the command, which is in parentheses and may itself hold
   * spaces and parentheses, so the split starts after the last ')'. utime, stime and starttime are
   * fields 14, 15 and 22 (proc(5)).
   */
  static Optional<Stat> parseStat(String text) {
    int close = text.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    // Fields split by whitespace, counted from 0 = field 3 (state), without a regex or a String per
    // field: a round reads the stat of every shim.
    long utime = -1;
    long stime = -1;
    long starttime = -1;
    int field = 0;
    int i = close + 1;
    int end = text.length();
    while (true) {
      while (i < end && isSpace(text.charAt(i))) {
        i++;
      }
      if (i == end) {
        break;
      }
      int start = i;
      while (i < end && !isSpace(text.charAt(i))) {
        i++;
      }
      if (field == 11 || field == 12 || field == 19) {
        long value = parseLong(text, start, i);
        if (value == NOT_A_NUMBER) {
          return Optional.empty();
        }
        if (field == 11) {
          utime = value;
        } else if (field == 12) {
          stime = value;
        } else {
          starttime = value;
        }
      }
      field++;
    }
    return field < 20 ? Optional.empty() : Optional.of(new Stat(utime, stime, starttime));
  }

  /** {@code VmRSS: N kB} and {@code Threads: N} of {@code /proc/PID/status}. */
  static Optional<Status> parseStatus(String text) {
    long rss = 0; // a zombie (or a kernel thread) has no VmRSS line: it holds no memory
    Long threads = null;
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      if (text.startsWith("VmRSS:", start)) {
        // "VmRSS:\t    1234 kB": the kernel's own unit, always kB.
        String value = text.substring(start + "VmRSS:".length(), end).strip();
        if (value.endsWith(" kB")) {
          long kb = parseLong(value, 0, value.length() - " kB".length(), true);
          if (kb == NOT_A_NUMBER) {
            return Optional.empty();
          }
          rss = kb * 1024;
        }
      } else if (text.startsWith("Threads:", start)) {
        String value = text.substring(start + "Threads:".length(), end).strip();
        long n = parseLong(value, 0, value.length());
        if (n == NOT_A_NUMBER) {
          return Optional.empty();
        }
        threads = n;
      }
      start = end + 1;
    }
    return threads == null ? Optional.empty() : Optional.of(new Status(rss, threads));
  }

  /** A regex's {@code \\s}: what the kernel separates fields with. */
  private static boolean isSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** What {@link #parseLong} returns for text that {@link Long#parseLong} would refuse. */
  private static final long NOT_A_NUMBER = Long.MIN_VALUE;

  /** {@link Long#parseLong} of {@code s[start, end)}, or {@link #NOT_A_NUMBER}. */
  private static long parseLong(String s, int start, int end) {
    return parseLong(s, start, end, false);
  }

  private static long parseLong(String s, int start, int end, boolean strip) {
    if (strip) {
      while (end > start && Character.isWhitespace(s.charAt(end - 1))) {
        end--;
      }
    }
    try {
      return Long.parseLong(s, start, end, 10);
    } catch (NumberFormatException e) {
      return NOT_A_NUMBER;
    }
  }

  /** {@code btime N} of {@code /proc/stat}. */
  static OptionalLong parseBootTime(String text) {
    for (String line : text.split("\n")) {
      if (line.startsWith("btime ")) {
        try {
          return OptionalLong.of(Long.parseLong(line.substring(6).trim()));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }

  /** NUL-separated arguments; the trailing NUL ends the last one. */
  static List<String> parseCmdline(String text) {
    List<String> args = new ArrayList<>(List.of(text.split("\0", -1)));
    if (!args.isEmpty() && args.get(args.size() - 1).isEmpty()) {
      args.remove(args.size() - 1);
    }
    return args;
  }
}
