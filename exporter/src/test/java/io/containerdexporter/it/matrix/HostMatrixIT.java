package io.containerdexporter.it.matrix;

import io.containerdexporter.testkit.ContainerdRelease;
import java.util.List;
import org.junit.jupiter.api.ClassTemplate;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The matrix's host cells: containerd 1.6 (Debian's, installed), 1.7.24 and 2.1.9 (fetched by
 * scripts/fetch-containerd) on this host's cgroup v1, each with its own exporter. Every release
 * runs every scenario of {@link Scenarios}.
 */
@ClassTemplate
@ExtendWith(HostMatrixIT.HostCells.class)
class HostMatrixIT extends Scenarios {

  HostMatrixIT(Cell cell) {
    super(cell);
  }

  static final class HostCells extends CellInvocations {
    HostCells() {
      super("cgroup v1 (host)", HostCell::start, List.of(ContainerdRelease.values()));
    }
  }
}
