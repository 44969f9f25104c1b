package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PreconditionsTest {
  @Test
  void tellsStaticFromDynamicBinaries() {
    assertFalse(Preconditions.isDynamicallyLinked(Path.of("/bin/busybox")), "busybox-static");
    assertTrue(Preconditions.isDynamicallyLinked(Path.of("/bin/ls")), "coreutils ls");
  }

  @Test
  void aMissingBinaryIsNamedWithTheFix() {
    SandboxOptions options =
        SandboxOptions.builder().containerdBinary(Path.of("/nonexistent/containerd")).build();

    SandboxUnavailableException e =
        assertThrows(SandboxUnavailableException.class, () -> Preconditions.check(options));

    if (Preconditions.runningAsRoot()) {
      assertTrue(e.getMessage().contains("/nonexistent/containerd"), e.getMessage());
      assertTrue(e.getMessage().contains("apt-get install"), e.getMessage());
    } else {
      assertTrue(e.getMessage().contains("must run as root"), e.getMessage());
    }
  }
}
