package io.containerdexporter.it.matrix;

import io.containerdexporter.testkit.ContainerdRelease;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The matrix's host cells: containerd 1.6 (Debian's, installed), 1.7.24 and 2.1.9 (fetched by
 * scripts/fetch-containerd) on this host's cgroup v1, each with its own exporter. Every release
 * runs every scenario of {@link Scenarios}.
 */
@ParameterizedClass(name = "containerd {0} on the host")
@EnumSource(ContainerdRelease.class)
class HostMatrixIT extends Scenarios {
  private static Cell cell;

  /**
   * Constructor injection: JUnit then also hands the release to the invocation's lifecycle methods.
   */
  HostMatrixIT(ContainerdRelease release) {}

  @BeforeParameterizedClassInvocation
  static void startCell(ContainerdRelease release) {
    cell = CellStartup.start(release, "cgroup v1 (host)", () -> HostCell.start(release));
  }

  @AfterParameterizedClassInvocation
  static void stopCell() {
    if (cell != null) {
      cell.close();
      cell = null;
    }
  }

  @Override
  Cell cell() {
    return cell;
  }
}
