package io.containerdexporter.testkit;

/**
 * Something went wrong while the sandbox was running (daemon did not come up, a ctr call failed,
 * ...).
 */
public class SandboxException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SandboxException(String message) {
    super(message);
  }

  public SandboxException(String message, Throwable cause) {
    super(message, cause);
  }
}
