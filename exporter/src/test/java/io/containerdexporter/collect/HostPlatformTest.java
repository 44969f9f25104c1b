package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostPlatformTest {

  @Test
  void rankExactOverVariantOverUnspecified() {
    HostPlatform arm = new HostPlatform("linux", "arm64", "v8");
    assertEquals(2, arm.fit(Optional.of(new OciManifests.Platform("linux", "arm64", "v8"))));
    assertEquals(1, arm.fit(Optional.of(new OciManifests.Platform("linux", "arm64", ""))));
    assertEquals(0, arm.fit(Optional.empty()));
    assertEquals(-1, arm.fit(Optional.of(new OciManifests.Platform("linux", "amd64", ""))));
    assertEquals(-1, arm.fit(Optional.of(new OciManifests.Platform("unknown", "unknown", ""))));
  }

  @Test
  void thisHostIsLinuxInGoSpelling() {
    HostPlatform host = HostPlatform.current();
    assertEquals("linux", host.os());
    assertEquals(
        System.getProperty("os.arch").equals("amd64") ? "amd64" : host.architecture(),
        host.architecture());
  }
}
