package io.containerdexporter.exposition;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import io.containerdexporter.model.ContainerdStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** {@code containerd_up} and the version of the containerd we watch. */
public final class ContainerdStatusMetrics implements MetricSource {

  static final FamilySpec UP =
      FamilySpec.gauge(
          "containerd_up", "1 if the last call to containerd's API succeeded, 0 otherwise.");
  static final FamilySpec INFO =
      FamilySpec.info(
          "containerd_info",
          "Version and revision of the containerd daemon, as its Version service last reported them.",
          "version",
          "revision");

  private final Supplier<ContainerdStatus> status;

  public ContainerdStatusMetrics(Supplier<ContainerdStatus> status) {
    this.status = status;
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(UP, INFO);
  }

  @Override
  public List<Family> render() {
    ContainerdStatus now = status.get();
    List<Family> out = new ArrayList<>(2);
    out.add(UP.builder().add(now.up() ? 1 : 0).build());
    now.version().ifPresent(v -> out.add(INFO.builder().add(1, v.version(), v.revision()).build()));
    return out;
  }
}
