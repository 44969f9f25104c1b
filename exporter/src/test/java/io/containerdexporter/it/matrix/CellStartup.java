package io.containerdexporter.it.matrix;

import io.containerdexporter.testkit.ContainerdRelease;
import java.util.function.Supplier;

/**
 * Starts a cell; if it cannot start, every scenario of its row is filed red with the reason, then
 * the error rises.
 */
final class CellStartup {
  private CellStartup() {}

  static Cell start(ContainerdRelease release, String kernel, Supplier<Cell> starter) {
    long started = System.nanoTime();
    try {
      Cell cell = starter.get();
      System.err.printf(
          "[matrix] %s up in %.1f s%n", cell.name(), (System.nanoTime() - started) / 1e9);
      return cell;
    } catch (RuntimeException | Error e) {
      String row = "containerd " + release.version() + " · " + kernel + " — did not start";
      for (String scenario : CompatibilityTable.SCENARIOS) {
        CompatibilityTable.record(
            row, scenario, CompatibilityTable.Outcome.FAILED, String.valueOf(e.getMessage()));
      }
      throw e;
    }
  }
}
