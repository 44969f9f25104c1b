package io.containerdexporter.exposition;

import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import java.util.List;

/** {@code containerd_exporter_build_info}, the exporters' convention for "which build is this". */
public final class BuildInfoMetrics implements MetricSource {

  static final FamilySpec BUILD_INFO =
      FamilySpec.info(
          "containerd_exporter_build_info",
          "A metric with a constant '1' value labeled by version, revision and the Java version the exporter runs on.",
          "version",
          "revision",
          "javaversion");

  private final List<Family> rendered;

  public BuildInfoMetrics(BuildInfo info) {
    // Never changes while the process lives: render once.
    this.rendered =
        List.of(
            BUILD_INFO
                .builder()
                .add(1, info.version(), info.revision(), info.javaVersion())
                .build());
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(BUILD_INFO);
  }

  @Override
  public List<Family> render() {
    return rendered;
  }
}
