package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContainerdReleaseTest {

  @Test
  void onlyTwoPointXReadsConfigVersion3() {
    assertEquals(2, ContainerdRelease.V1_6.configVersion());
    assertEquals(2, ContainerdRelease.V1_7.configVersion());
    assertEquals(3, ContainerdRelease.V2_1.configVersion());
  }

  @Test
  void theHostsOwnIsTheDefaultAndTheOthersComeFromTheCache() {
    assertEquals(Path.of("/usr/bin"), ContainerdRelease.V1_6.hostBinDir());
    assertEquals(
        ContainerdRelease.DEFAULT_CACHE.resolve("forky/usr/bin"),
        ContainerdRelease.V2_1.hostBinDir());
    assertEquals("/opt/containerd/trixie/bin", ContainerdRelease.V1_7.guestBinDir());
  }

  @Test
  void theReleasesOwnShimComesFirstOnPath() {
    String previous = System.getProperty("containerd.versions.cache");
    System.setProperty("containerd.versions.cache", "/nonexistent-cache");
    try {
      SandboxUnavailableException missing =
          assertThrows(
              SandboxUnavailableException.class, ContainerdRelease.V1_7::hostSandboxOptions);
      assertEquals(
          true, missing.getMessage().contains("scripts/fetch-containerd"), missing.getMessage());
    } finally {
      if (previous == null) {
        System.clearProperty("containerd.versions.cache");
      } else {
        System.setProperty("containerd.versions.cache", previous);
      }
    }
    SandboxOptions host = ContainerdRelease.V1_6.hostSandboxOptions().build();
    assertEquals(List.of(Path.of("/usr/bin")), host.pathPrefix());
    assertEquals(Path.of("/usr/bin/ctr"), host.ctrBinary());
  }
}
