package io.containerdexporter.cgroup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Reads the kernel's count of OOM kills in one cgroup: {@code oom_kill} in {@code memory.oom_control} (cgroup v1) or
 * {@code memory.events} (cgroup v2). The event subscriber uses it to recover OOMs it missed while disconnected.
 */
public final class OomKillCounter {

  private final Path root;
  private final boolean unified;

  /** @param root where the cgroup hierarchy is mounted (the host's /sys/fs/cgroup, or a fixture tree) */
  public OomKillCounter(Path root) {
    this.root = root;
    this.unified = Files.exists(root.resolve("cgroup.controllers"));
  }

  /** Empty when the cgroup or its file does not exist (the task is gone) or the file says nothing usable. */
  public OptionalLong oomKills(String cgroupPath) {
    if (cgroupPath.isEmpty()) {
      return OptionalLong.empty();
    }
    String relative = cgroupPath.startsWith("/") ? cgroupPath.substring(1) : cgroupPath;
    Path file = unified
        ? root.resolve(relative).resolve("memory.events")
        : root.resolve("memory").resolve(relative).resolve("memory.oom_control");
    try {
      return parseOomKill(Files.readString(file));
    } catch (IOException | RuntimeException e) {
      return OptionalLong.empty();
    }
  }

  /** The value of the {@code oom_kill} line of a flat-keyed cgroup file. */
  static OptionalLong parseOomKill(String text) {
    for (String line : text.split("\n")) {
      String[] kv = line.trim().split("\\s+");
      if (kv.length == 2 && kv[0].equals("oom_kill")) {
        try {
          return OptionalLong.of(Long.parseLong(kv[1]));
        } catch (NumberFormatException e) {
          return OptionalLong.empty();
        }
      }
    }
    return OptionalLong.empty();
  }
}
