package io.containerdexporter.cgroup;

import io.containerdexporter.metrics.ReadErrors;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/** Where the committed cgroupfs fixture trees are (src/test/resources/cgroupfs). */
public final class CgroupFixtures {

  static final String V1_C1 = "/default/c1";
  static final String HYBRID_SCOPE =
      "/kubepods.slice/kubepods-besteffort.slice/"
          + "kubepods-besteffort-pod0f3c1c55_9d7b_4a55_8b2e_1c7f1a2b3c4d.slice/"
          + "cri-containerd-4b825dc642cb6eb9a060e54bf8d69288fbee4904a2c3b5e1d7a6e0f8c9d2b1a0.scope";
  static final String V2_SCOPE =
      "/kubepods.slice/kubepods-burstable.slice/"
          + "kubepods-burstable-pod7d2b8f4e_3a61_4c0e_9f15_2e8c4d6a1b90.slice/"
          + "cri-containerd-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.scope";

  private CgroupFixtures() {}

  /**
   * A cgroup read-error counter, as the exporter builds it for
   * containerd_exporter_cgroup_read_errors_total.
   */
  static ReadErrors readErrors() {
    return new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total");
  }

  /**
   * A counter of cgroup reads given up, as the exporter builds it for
   * containerd_exporter_cgroup_read_failures_total.
   */
  public static CgroupReadFailures readFailures() {
    return new CgroupReadFailures("containerd_exporter_cgroup_read_failures_total");
  }

  /**
   * A fixture tree. Prefers the source tree (Maven runs tests in the module directory) because it
   * keeps the v1 tree's cpu → cpu,cpuacct symlinks, which resource copying turns into plain
   * directories.
   */
  static Path tree(String name) {
    Path source = Path.of("src/test/resources/cgroupfs", name);
    if (Files.isDirectory(source)) {
      return source;
    }
    URL url = CgroupFixtures.class.getResource("/cgroupfs/" + name);
    if (url == null) {
      throw new IllegalStateException("fixture tree not found: " + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Copies a fixture tree into {@code target}, symlinks as symlinks, so a test may break it. */
  public static Path copy(String name, Path target) throws java.io.IOException {
    copyTree(tree(name), target);
    return target;
  }

  /** Copies a directory tree, symlinks as symlinks (a task's cgroup into a second task's). */
  public static void copyTree(Path from, Path target) throws java.io.IOException {
    try (var paths = Files.walk(from)) {
      for (Path p : (Iterable<Path>) paths::iterator) {
        Path to = target.resolve(from.relativize(p).toString());
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(to, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(to);
        } else {
          Files.copy(p, to);
        }
      }
    }
  }
}
