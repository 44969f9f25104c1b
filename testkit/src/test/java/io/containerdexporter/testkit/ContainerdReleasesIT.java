package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Every release of the matrix starts on this host, with its own config format and shim, and runs a
 * task.
 */
class ContainerdReleasesIT {

  @ParameterizedTest
  @EnumSource(ContainerdRelease.class)
  void startsAndRunsATask(ContainerdRelease release) {
    try (ContainerdSandbox sandbox =
        ContainerdSandbox.start(release.hostSandboxOptions().build())) {
      assertTrue(sandbox.serverVersion().startsWith(release.version()), sandbox.serverVersion());
      sandbox.importBusybox("rel", ContainerdSandbox.BUSYBOX_IMAGE);
      sandbox.run(
          "rel",
          "sleeper",
          ContainerdSandbox.BUSYBOX_IMAGE,
          RunOptions.DEFAULTS,
          "sleep",
          "100000");
      assertEquals("RUNNING", sandbox.taskStatus("rel", "sleeper"));
      sandbox.kill("rel", "sleeper", "SIGKILL");
      sandbox.awaitTaskStatus("rel", "sleeper", "STOPPED", Duration.ofSeconds(10));
      assertEquals(137, sandbox.deleteTask("rel", "sleeper"));
    }
  }
}
