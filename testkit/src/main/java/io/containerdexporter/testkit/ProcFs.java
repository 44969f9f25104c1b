package io.containerdexporter.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The few things the sandbox reads from /proc: processes, mounts, cgroup hierarchies. */
final class ProcFs {
  private static final Path PROC = Path.of("/proc");

  private ProcFs() {}

  /** A process and its command line with NULs turned into spaces (empty for kernel threads). */
  record ProcessInfo(long pid, String cmdline) {}

  /**
   * One line of /proc/self/mounts with the kernel's octal escapes ({@code \040} for space, ...)
   * undone.
   */
  record MountEntry(String source, Path mountPoint, String fsType) {}

  static List<ProcessInfo> processes() {
    List<ProcessInfo> processes = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(PROC, entry -> isNumeric(entry.getFileName().toString()))) {
      for (Path entry : entries) {
        try {
          byte[] raw = Files.readAllBytes(entry.resolve("cmdline"));
          String cmdline = new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').strip();
          processes.add(new ProcessInfo(Long.parseLong(entry.getFileName().toString()), cmdline));
        } catch (IOException e) {
          // The process exited while we looked: nothing to report.
        }
      }
    } catch (IOException e) {
      throw new SandboxException("cannot list /proc", e);
    }
    return processes;
  }

  static List<ProcessInfo> processesMentioning(String text) {
    long self = ProcessHandle.current().pid();
    return processes().stream().filter(p -> p.pid() != self && p.cmdline().contains(text)).toList();
  }

  /**
   * Alive and not a zombie. A container's PID 1 orphaned by a killed shim is re-parented to init,
   * and until init reaps it {@link ProcessHandle#isAlive()} still says true.
   */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  static List<MountEntry> mounts() {
    try {
      return parseMounts(Files.readString(Path.of("/proc/self/mounts")));
    } catch (IOException e) {
      throw new SandboxException("cannot read /proc/self/mounts", e);
    }
  }

  static List<MountEntry> parseMounts(String content) {
    List<MountEntry> mounts = new ArrayList<>();
    for (String line : content.split("\\R")) {
      String[] fields = line.split(" ");
      if (fields.length >= 3) {
        mounts.add(new MountEntry(unescape(fields[0]), Path.of(unescape(fields[1])), fields[2]));
      }
    }
    return mounts;
  }

  static List<MountEntry> mountsUnder(Path dir) {
    return mounts().stream().filter(m -> m.mountPoint().startsWith(dir)).toList();
  }

  /**
   * Mount points of every cgroup hierarchy (v1 controllers, named v1 hierarchies and cgroup2),
   * deduplicated.
   */
  static Set<Path> cgroupMountPoints() {
    Set<Path> points = new LinkedHashSet<>();
    for (MountEntry mount : mounts()) {
      if (mount.fsType().equals("cgroup") || mount.fsType().equals("cgroup2")) {
        points.add(mount.mountPoint());
      }
    }
    return points;
  }

  static String unescape(String field) {
    StringBuilder out = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\' && isOctal(field, i + 1)) {
        out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static boolean isOctal(String text, int from) {
    if (from + 3 > text.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      char c = text.charAt(i);
      if (c < '0' || c > '7') {
        return false;
      }
    }
    return true;
  }

  private static boolean isNumeric(String name) {
    return !name.isEmpty() && name.chars().allMatch(Character::isDigit);
  }
}
