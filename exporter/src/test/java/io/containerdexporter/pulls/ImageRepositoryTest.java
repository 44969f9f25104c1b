package io.containerdexporter.pulls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ImageRepositoryTest {

  private static void assertRepo(String ref, String registry, String repository) {
    assertEquals(new ImageRepository(registry, repository), ImageRepository.parse(ref), ref);
  }

  @Test
  void dockerHubShortNamesAreNormalised() {
    assertRepo("busybox", "docker.io", "library/busybox");
    assertRepo("busybox:1.36", "docker.io", "library/busybox");
    assertRepo("docker.io/library/busybox:latest", "docker.io", "library/busybox");
    assertRepo("index.docker.io/grafana/grafana:10", "docker.io", "grafana/grafana");
    assertRepo("grafana/grafana@sha256:" + "a".repeat(64), "docker.io", "grafana/grafana");
  }

  @Test
  void registryHostsKeepTheirPortAndTheTagAndDigestAreDropped() {
    assertRepo("127.0.0.1:5000/pulls/app:1", "127.0.0.1:5000", "pulls/app");
    assertRepo("localhost/app", "localhost", "app");
    assertRepo("REGISTRY.k8s.io/pause:3.6", "registry.k8s.io", "pause");
    assertRepo("ghcr.io/org/team/app:v1@sha256:" + "b".repeat(64), "ghcr.io", "org/team/app");
  }

  @Test
  void garbageIsUnparsable() {
    for (String ref : new String[] {"", " ", "/x", "x/", "a b", "x\"y", null}) {
      assertEquals(ImageRepository.UNPARSABLE, ImageRepository.parse(ref), String.valueOf(ref));
    }
  }
}
