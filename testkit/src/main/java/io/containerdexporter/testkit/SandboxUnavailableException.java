package io.containerdexporter.testkit;

/**
 * The machine cannot host a sandbox (not root, a binary missing). Tests must fail with this message
 * rather than skip: a silently skipped integration suite looks exactly like a passing one.
 */
public final class SandboxUnavailableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxUnavailableException(String message) {
    super(message);
  }
}
