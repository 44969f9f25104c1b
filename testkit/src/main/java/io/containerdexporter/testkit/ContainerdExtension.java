package io.containerdexporter.testkit;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5: {@code @ExtendWith(ContainerdExtension.class)} gives constructors, {@code @BeforeAll},
 * {@code @BeforeEach} and {@code @Test} methods a {@link ContainerdSandbox} parameter. One sandbox
 * per top-level test class (nested classes share it), started lazily on first use and closed when
 * the class is done. If it cannot start, every test asking for it fails with the reason: never an
 * assumption, because a skipped integration test reads like a passing one.
 */
public final class ContainerdExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(ContainerdExtension.class);
  private static final String KEY = "sandbox";

  @Override
  public boolean supportsParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    return parameterContext.getParameter().getType() == ContainerdSandbox.class;
  }

  @Override
  public Object resolveParameter(
      ParameterContext parameterContext, ExtensionContext extensionContext) {
    ExtensionContext classContext = outermostClassContext(extensionContext);
    // Stored as AutoCloseable: JUnit 5.13+ closes such values with the store, i.e. after the class
    // (Store.CloseableResource, the older way, is deprecated since 5.13).
    SandboxStartup startup =
        classContext
            .getStore(NAMESPACE)
            .getOrComputeIfAbsent(KEY, key -> SandboxStartup.attempt(), SandboxStartup.class);
    return startup.sandboxOrThrow();
  }

  private static ExtensionContext outermostClassContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getParent().isPresent()
        && current.getParent().get().getTestClass().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  /**
   * The outcome of the one start attempt per class, failure included, so that a class with twenty
   * tests does not wait twenty times for a daemon that will not come up.
   */
  static final class SandboxStartup implements AutoCloseable {
    private final ContainerdSandbox sandbox;
    private final RuntimeException failure;

    private SandboxStartup(ContainerdSandbox sandbox, RuntimeException failure) {
      this.sandbox = sandbox;
      this.failure = failure;
    }

    static SandboxStartup attempt() {
      try {
        return new SandboxStartup(ContainerdSandbox.start(), null);
      } catch (RuntimeException e) {
        return new SandboxStartup(null, e);
      }
    }

    ContainerdSandbox sandboxOrThrow() {
      if (failure instanceof SandboxUnavailableException unavailable) {
        throw new SandboxUnavailableException(unavailable.getMessage());
      }
      if (failure != null) {
        throw new SandboxException(
            "ContainerdSandbox failed to start: " + failure.getMessage(), failure);
      }
      return sandbox;
    }

    @Override
    public void close() {
      if (sandbox != null) {
        sandbox.close();
      }
    }
  }
}
