package io.containerdexporter.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/containerd-exporter.yaml, the plain manifest for clusters without helm, is {@code helm
 * template} of the chart with its default values, never edited by hand: this test fails when it
 * differs, and {@code -Dmanifest.update=true} writes it.
 */
class KubectlManifestTest {
  static final String HEADER =
      """
      # containerd-exporter for `kubectl apply` (namespace %s: kubectl create namespace %s first).
      # Generated from helm/containerd-exporter with its default values by KubectlManifestTest; do not edit: change
      # the chart and run mvn -pl exporter -am test -Dtest=KubectlManifestTest -Dmanifest.update=true
      """
          .formatted(ChartUnderTest.NAMESPACE, ChartUnderTest.NAMESPACE);

  @Test
  void theCommittedManifestIsTheChartsDefaultRender(@TempDir Path dir) throws IOException {
    String rendered = HEADER + ChartUnderTest.copyInto(dir).template();
    Path manifest = RepositoryFiles.root().resolve("deploy/containerd-exporter.yaml");
    if (Boolean.getBoolean("manifest.update")) {
      Files.createDirectories(manifest.getParent());
      Files.writeString(manifest, rendered);
    }
    assertTrue(
        Files.exists(manifest), manifest + " missing: run with -Dmanifest.update=true to write it");
    assertEquals(
        rendered,
        Files.readString(manifest),
        manifest + " is not the chart's render: run with -Dmanifest.update=true");
    KubernetesObjects.parse(rendered).one(DaemonSet.class);
  }
}
