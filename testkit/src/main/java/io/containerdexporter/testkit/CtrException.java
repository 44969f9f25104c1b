package io.containerdexporter.testkit;

/**
 * A {@code ctr} (or other helper command) call failed or timed out; the message carries its stdout
 * and stderr.
 */
public final class CtrException extends SandboxException {
  private static final long serialVersionUID = 1L;

  private final transient CtrResult result;

  public CtrException(CtrResult result) {
    super(result.describe());
    this.result = result;
  }

  public CtrResult result() {
    return result;
  }
}
