package io.containerdexporter.it.matrix;

import io.containerdexporter.testkit.ContainerdRelease;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matrix's cgroup v2 cells, each in a fresh QEMU guest (scripts/guest-image). By default only
 * the cell most production nodes look like, containerd 2.1 on cgroup v2; {@code -Dmatrix.full=true}
 * (scripts/test --full) runs 1.6 and 1.7 too. Not a skip: the default run simply has fewer rows.
 */
@ParameterizedClass(name = "containerd {0} in a cgroup v2 guest")
@MethodSource("releases")
class GuestMatrixIT extends Scenarios {
  private static Cell cell;

  /**
   * Constructor injection: JUnit then also hands the release to the invocation's lifecycle methods.
   */
  GuestMatrixIT(ContainerdRelease release) {}

  static Stream<ContainerdRelease> releases() {
    return Boolean.getBoolean("matrix.full")
        ? Stream.of(ContainerdRelease.values())
        : List.of(ContainerdRelease.V2_1).stream();
  }

  @BeforeParameterizedClassInvocation
  static void bootCell(ContainerdRelease release) {
    cell = CellStartup.start(release, "cgroup v2 (guest)", () -> GuestCell.boot(release));
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
