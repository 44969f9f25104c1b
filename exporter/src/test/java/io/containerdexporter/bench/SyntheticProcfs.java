package io.containerdexporter.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The per-process files of the synthetic node under {@code --path.procfs}: what the network,
 * processes and containerd-process collectors read. {@code stat}, {@code status} and {@code limits}
 * take their shape from this JVM's own files (a real kernel's), {@code net/dev} is printed as the
 * kernel prints it, {@code ns/net} and {@code fd/N} are symlinks with the kernel's targets.
 */
final class SyntheticProcfs {

  private static final String NET_DEV_HEADER =
      "Inter-|   Receive                                                |  Transmit\n"
          + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets"
          + " errs drop fifo colls carrier compressed\n";

  /** The host's network namespace inode (pid 1's), as on most machines. */
  static final long HOST_NETNS = 4026531992L;

  private final Path root;
  private final String statusTemplate;
  private final String limits;
  private final long bootTime;

  SyntheticProcfs(Path root) {
    this.root = root;
    try {
      this.statusTemplate = Files.readString(Path.of("/proc/self/status"));
      this.limits = Files.readString(Path.of("/proc/self/limits"));
    } catch (IOException e) {
      throw new UncheckedIOException("this JVM's /proc/self files are the templates", e);
    }
    this.bootTime = System.currentTimeMillis() / 1000 - 86_400;
  }

  /** /proc/stat (btime) and /proc/meminfo: what the root cgroup and process readers need. */
  void writeHost() {
    SyntheticFiles.write(
        root.resolve("stat"),
        "cpu  9115066 1216 2297233 187442066 91223 0 31807 0 0 0\n"
            + "intr 1234567890\nctxt 987654321\nbtime "
            + bootTime
            + "\nprocesses 2412034\nprocs_running 2\nprocs_blocked 0\n");
    SyntheticFiles.write(root.resolve("meminfo"), SyntheticFiles.text("/procfs-root/meminfo"));
  }

  /**
   * A process: stat, status, limits, cmdline, {@code fds} descriptors (the first three /dev/null,
   * then {@code sockets} sockets, then regular files), a network namespace.
   */
  void writeProcess(
      long pid,
      String comm,
      List<String> argv,
      long residentKb,
      int threads,
      long cpuTicks,
      long startTicks,
      int fds,
      int sockets,
      long netns) {
    Path dir = root.resolve(Long.toString(pid));
    SyntheticFiles.write(
        dir.resolve("stat"),
        pid
            + " ("
            + comm
            + ") S 1 "
            + pid
            + " "
            + pid
            + " 0 -1 1077936384 1853 0 0 0 "
            + (cpuTicks * 3 / 4)
            + " "
            + (cpuTicks / 4)
            + " 0 0 20 0 "
            + threads
            + " 0 "
            + startTicks
            + " 1253023744 "
            + (residentKb / 4)
            + " 18446744073709551615 1 1 0 0 0 0 1006254592 0 2143420159 0 0 0 17 1 0 0 0 0 0 0 0 0 0"
            + " 0 0 0 0\n");
    SyntheticFiles.write(dir.resolve("status"), status(pid, comm, residentKb, threads));
    SyntheticFiles.write(dir.resolve("limits"), limits);
    SyntheticFiles.write(dir.resolve("cmdline"), String.join("\0", argv) + "\0");
    for (int fd = 0; fd < fds; fd++) {
      String target =
          fd < 3
              ? "/dev/null"
              : fd < 3 + sockets ? "socket:[" + (100_000 + pid * 16 + fd) + "]" : "/var/lib/f" + fd;
      SyntheticFiles.link(dir.resolve("fd").resolve(Integer.toString(fd)), target);
    }
    SyntheticFiles.link(dir.resolve("ns/net"), "net:[" + netns + "]");
  }

  /**
   * {@code /proc/PID/net/dev} with {@code lo} and each of {@code interfaces}, their counters scaled
   * by {@code factor}.
   */
  void writeNetDev(long pid, List<String> interfaces, double factor) {
    StringBuilder text = new StringBuilder(NET_DEV_HEADER);
    text.append(line("lo", 52012, 611, 1));
    for (String name : interfaces) {
      text.append(line(name, 184_467_331, 412_557, factor));
    }
    SyntheticFiles.write(root.resolve(Long.toString(pid)).resolve("net/dev"), text.toString());
  }

  private static String line(String name, long bytes, long packets, double factor) {
    long rb = Math.round(bytes * factor);
    long rp = Math.round(packets * factor);
    return String.format(
        "%6s: %8d %7d %4d %4d %4d %5d %10d %9d %8d %7d %4d %4d %4d %5d %7d %10d%n",
        name, rb, rp, 0, 3, 0, 0, 0, 0, rb / 3, rp / 2, 0, 0, 0, 0, 0, 0);
  }

  private String status(long pid, String comm, long residentKb, int threads) {
    StringBuilder out = new StringBuilder(statusTemplate.length());
    for (String line : statusTemplate.split("\n")) {
      String key = line.contains(":") ? line.substring(0, line.indexOf(':')) : "";
      switch (key) {
        case "Name" -> out.append("Name:\t").append(comm);
        case "Pid", "Tgid" -> out.append(key).append(":\t").append(pid);
        case "VmRSS" -> out.append("VmRSS:\t").append(String.format("%8d kB", residentKb));
        case "Threads" -> out.append("Threads:\t").append(threads);
        default -> out.append(line);
      }
      out.append('\n');
    }
    return out.toString();
  }
}
