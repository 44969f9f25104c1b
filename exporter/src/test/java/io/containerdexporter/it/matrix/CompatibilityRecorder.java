package io.containerdexporter.it.matrix;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Files each scenario's outcome on its cell into the {@link CompatibilityTable}. Stateless: host
 * and guest scenarios report from two threads at once, and the table serialises them.
 */
final class CompatibilityRecorder implements TestWatcher {

  @Override
  public void testSuccessful(ExtensionContext context) {
    record(context, CompatibilityTable.Outcome.PASSED, "");
  }

  @Override
  public void testAborted(ExtensionContext context, Throwable cause) {
    record(
        context,
        CompatibilityTable.Outcome.NOT_APPLICABLE,
        String.valueOf(cause.getMessage()).replaceFirst("^Assumption failed: ", ""));
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    record(context, CompatibilityTable.Outcome.FAILED, String.valueOf(cause.getMessage()));
  }

  private static void record(
      ExtensionContext context, CompatibilityTable.Outcome outcome, String detail) {
    Optional<Scenario> scenario = context.getTestMethod().map(m -> m.getAnnotation(Scenario.class));
    Optional<Object> instance = context.getTestInstance();
    if (scenario.isEmpty()
        || instance.isEmpty()
        || !(instance.get() instanceof Scenarios scenarios)) {
      return;
    }
    Cell cell = scenarios.cell();
    if (cell != null) {
      CompatibilityTable.record(scenarios.cellName(), scenario.get().value(), outcome, detail);
    }
  }
}
