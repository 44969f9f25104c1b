package io.containerdexporter.chart;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Paths in the repository, from wherever Maven runs the tests (the module or the root). */
public final class RepositoryFiles {
  private RepositoryFiles() {}

  public static Path root() {
    for (Path candidate : List.of(Path.of(".."), Path.of("."))) {
      if (Files.isDirectory(candidate.resolve("helm/containerd-exporter"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "helm/containerd-exporter not found from " + Path.of("").toAbsolutePath());
  }

  public static Path chart() {
    return root().resolve("helm/containerd-exporter");
  }
}
