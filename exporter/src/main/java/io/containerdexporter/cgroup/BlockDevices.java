package io.containerdexporter.cgroup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Names block devices for cAdvisor's {@code device} label: major:minor → "/dev/sda", from {@code
 * <sysfs>/dev/block/<major>:<minor>/uevent} (its DEVNAME line).
 *
 * <p>A device that cannot be named gets "", as in cAdvisor (google/cadvisor {@code
 * lib/container/common/helpers.go} deviceIdentifierMap.Find keeps the namer's "" for an unknown
 * device). cAdvisor names from /sys/block disks and mounted filesystems; the uevent is the kernel's
 * own name for every block device, which is the same "/dev/<name>" for disks and also covers
 * partitions, dm and loop devices.
 *
 * <p>Names found are cached for the life of the process (device numbers of present devices do not
 * change); unknown devices are looked up again next time, since a device may appear later.
 * Thread-safe.
 */
public final class BlockDevices {

  private final Path sysfs;
  private final Map<Long, String> names = new ConcurrentHashMap<>();

  /**
   * @param sysfs where sysfs is mounted: the host's /sys, or a fixture tree
   */
  public BlockDevices(Path sysfs) {
    this.sysfs = sysfs;
  }

  /** "/dev/<name>", or "" when the device is unknown. */
  public String name(long major, long minor) {
    if (major < 0 || minor < 0 || major >= 1 << 12 || minor >= 1 << 20) {
      return "";
    }
    long key = major << 32 | minor;
    String cached = names.get(key);
    if (cached != null) {
      return cached;
    }
    Optional<String> found = lookUp(major, minor);
    found.ifPresent(name -> names.put(key, name));
    return found.orElse("");
  }

  private Optional<String> lookUp(long major, long minor) {
    Path uevent = sysfs.resolve("dev/block").resolve(major + ":" + minor).resolve("uevent");
    try {
      return parseDevName(Files.readString(uevent, StandardCharsets.ISO_8859_1))
          .map(name -> "/dev/" + name);
    } catch (IOException e) {
      return Optional.empty(); // no such device (any more): unnamed, like cAdvisor
    }
  }

  /**
   * The DEVNAME of a uevent file ("MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n"); empty when
   * missing or not a plausible device name (it ends up in a label, so it must be short and
   * printable).
   */
  public static Optional<String> parseDevName(String uevent) {
    for (String line : uevent.split("\n", -1)) {
      if (line.startsWith("DEVNAME=")) {
        String name = line.substring("DEVNAME=".length());
        return plausible(name) ? Optional.of(name) : Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static boolean plausible(String name) {
    if (name.isEmpty() || name.length() > 128 || name.startsWith("/") || name.contains("..")) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok =
          c >= 'a' && c <= 'z'
              || c >= 'A' && c <= 'Z'
              || c >= '0' && c <= '9'
              || "-_.:/+!".indexOf(c) >= 0;
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
