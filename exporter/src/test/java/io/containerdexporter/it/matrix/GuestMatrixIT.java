package io.containerdexporter.it.matrix;

import io.containerdexporter.testkit.ContainerdRelease;
import java.util.List;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The matrix's cgroup v2 cells, each in a fresh QEMU guest (scripts/guest-image). By default only
 * the cell most production nodes look like, containerd 2.1 on cgroup v2; {@code -Dmatrix.full=true}
 * (scripts/test --full) runs 1.6 and 1.7 too. Not a skip: the default run simply has fewer rows.
 *
 * <p>A guest cell takes minutes of mostly emulated CPU while the host ITs mostly wait, so it runs
 * beside them: {@code CONCURRENT} lets JUnit fork this class onto a second worker (failsafe enables
 * parallel execution, every other class stays on the first, one after another), and the read-write
 * lock forces everything inside it (the cells one after another, each cell's scenarios in their
 * order) onto that one thread.
 */
@ClassTemplate
@ExtendWith(GuestMatrixIT.GuestCells.class)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock("qemu-guest")
class GuestMatrixIT extends Scenarios {

  GuestMatrixIT(Cell cell) {
    super(cell);
  }

  static final class GuestCells extends CellInvocations {
    GuestCells() {
      super(
          "cgroup v2 (guest)",
          GuestCell::boot,
          Boolean.getBoolean("matrix.full")
              ? List.of(ContainerdRelease.values())
              : List.of(ContainerdRelease.V2_1));
    }
  }
}
