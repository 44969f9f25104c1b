package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension hands every injection point of a class the same, running sandbox. */
@ExtendWith(ContainerdExtension.class)
class ContainerdExtensionIT {
  private static ContainerdSandbox fromBeforeAll;
  private final ContainerdSandbox fromConstructor;
  private ContainerdSandbox fromBeforeEach;

  ContainerdExtensionIT(ContainerdSandbox sandbox) {
    this.fromConstructor = sandbox;
  }

  @BeforeAll
  static void beforeAll(ContainerdSandbox sandbox) {
    fromBeforeAll = sandbox;
  }

  @BeforeEach
  void beforeEach(ContainerdSandbox sandbox) {
    fromBeforeEach = sandbox;
  }

  @Test
  void oneSandboxPerClass(ContainerdSandbox sandbox) {
    assertSame(fromBeforeAll, sandbox);
    assertSame(fromConstructor, sandbox);
    assertSame(fromBeforeEach, sandbox);
    assertTrue(sandbox.daemonRunning());
  }

  @Test
  void usableFromATest(ContainerdSandbox sandbox) {
    sandbox.createNamespace("ext-it");
    assertTrue(sandbox.namespaces().contains("ext-it"));
  }

  @Nested
  class NestedClasses {
    @Test
    void shareTheOuterSandbox(ContainerdSandbox sandbox) {
      assertSame(fromBeforeAll, sandbox);
    }
  }

  @AfterAll
  static void stillOpenUntilTheClassIsDone() {
    if (fromBeforeAll
        != null) { // null when the sandbox could not start: that failure is reported already
      assertTrue(fromBeforeAll.daemonRunning(), "closed only after @AfterAll");
    }
  }
}
