package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockDevicesTest {

  @Test
  void namesDevicesFromUevent() {
    BlockDevices devices = new BlockDevices(CgroupFixtures.tree("sysfs"));
    assertEquals("/dev/sda", devices.name(8, 0));
    assertEquals("/dev/sda1", devices.name(8, 1));
    assertEquals("/dev/dm-0", devices.name(253, 0));
    assertEquals("/dev/nvme0n1", devices.name(259, 0));
  }

  @Test
  void unknownDevicesAreEmptyLikeCadvisor() {
    BlockDevices devices = new BlockDevices(CgroupFixtures.tree("sysfs"));
    assertEquals("", devices.name(7, 9), "uevent without DEVNAME");
    assertEquals("", devices.name(1, 99), "no such device");
    assertEquals("", devices.name(-1, 0));
    assertEquals("", devices.name(1 << 12, 0));
  }

  @Test
  void namesAreCachedUnknownsAreNot(@TempDir Path sysfs) throws IOException {
    Path sda = Files.createDirectories(sysfs.resolve("dev/block/8:0"));
    Files.writeString(sda.resolve("uevent"), "MAJOR=8\nMINOR=0\nDEVNAME=sda\nDEVTYPE=disk\n");
    BlockDevices devices = new BlockDevices(sysfs);
    assertEquals("", devices.name(8, 16));
    assertEquals("/dev/sda", devices.name(8, 0));

    Files.delete(sda.resolve("uevent"));
    assertEquals("/dev/sda", devices.name(8, 0), "cached");
    Path sdb = Files.createDirectories(sysfs.resolve("dev/block/8:16"));
    Files.writeString(sdb.resolve("uevent"), "MAJOR=8\nMINOR=16\nDEVNAME=sdb\n");
    assertEquals("/dev/sdb", devices.name(8, 16), "a device that appeared later");
  }

  @Test
  void parseDevName() {
    assertEquals(
        Optional.of("vda"),
        BlockDevices.parseDevName("MAJOR=254\nMINOR=0\nDEVNAME=vda\nDEVTYPE=disk\n"));
    assertEquals(Optional.of("cciss/c0d0"), BlockDevices.parseDevName("DEVNAME=cciss/c0d0\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName("MAJOR=7\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName("DEVNAME=\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName("DEVNAME=../../etc\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName("DEVNAME=/abs\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName("DEVNAME=sd a\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName("DEVNAME=" + "a".repeat(129) + "\n"));
    assertEquals(Optional.empty(), BlockDevices.parseDevName(""));
  }

  @Test
  void namesARealDeviceOfThisHost() throws IOException {
    Path block = Path.of("/sys/dev/block");
    assumeTrue(Files.isDirectory(block), "no sysfs");
    BlockDevices devices = new BlockDevices(Path.of("/sys"));
    try (var entries = Files.list(block)) {
      Path first = entries.filter(p -> Files.exists(p.resolve("uevent"))).findFirst().orElse(null);
      assumeTrue(first != null, "no block devices");
      String[] mm = first.getFileName().toString().split(":");
      String name = devices.name(Long.parseLong(mm[0]), Long.parseLong(mm[1]));
      assertTrue(name.startsWith("/dev/") && name.length() > 5, name);
    }
  }
}
