package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ShimSocketsTest {
  @Test
  void matchesTheNameContainerd16Chose() {
    // Observed: a daemon at /tmp/exp1/c.sock running task s1 in namespace t1 created this socket in
    // /run/containerd/s.
    assertEquals(
        "3b0f105664f074d15f4333431b79957e281f045908e8fcaad9c7efe20a15dd01",
        ShimSockets.socketName(Path.of("/tmp/exp1/c.sock"), "t1", "s1"));
  }
}
