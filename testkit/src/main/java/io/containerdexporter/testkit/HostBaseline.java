package io.containerdexporter.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What existed outside the sandbox's temp dir before it started. containerd 1.6 writes a few things
 * to fixed host paths; teardown only removes what is absent here, so it can never delete another
 * containerd's state.
 *
 * @param runContainerdExisted whether /run/containerd existed at all
 * @param shimSockets entries of /run/containerd/s (shim sockets, path hard-coded in 1.6)
 * @param fifoEntries entries of /run/containerd/fifo (ctr's default FIFO dir)
 * @param runcEntries entries of /run/containerd/runc (runc's default root, one dir per namespace)
 * @param cgroupDirs per cgroup mount point: its sub-directories at depth 1 and 2, relative ({@code
 *     <namespace>} and {@code <namespace>/<id>} for ctr-started tasks)
 */
record HostBaseline(
    boolean runContainerdExisted,
    Set<String> shimSockets,
    Set<String> fifoEntries,
    Set<String> runcEntries,
    Map<String, Set<String>> cgroupDirs) {

  static final Path RUN_CONTAINERD = Path.of("/run/containerd");
  static final Path SHIM_SOCKETS = RUN_CONTAINERD.resolve("s");
  static final Path FIFO_DIR = RUN_CONTAINERD.resolve("fifo");
  static final Path RUNC_ROOT = RUN_CONTAINERD.resolve("runc");

  static HostBaseline capture() {
    Map<String, Set<String>> cgroups = new TreeMap<>();
    for (Path mountPoint : ProcFs.cgroupMountPoints()) {
      cgroups.put(mountPoint.toString(), subdirectories(mountPoint, 2));
    }
    return new HostBaseline(
        Files.isDirectory(RUN_CONTAINERD),
        entries(SHIM_SOCKETS),
        entries(FIFO_DIR),
        entries(RUNC_ROOT),
        cgroups);
  }

  static Set<String> entries(Path dir) {
    Set<String> names = new TreeSet<>();
    if (!Files.isDirectory(dir)) {
      return names;
    }
    try (Stream<Path> list = Files.list(dir)) {
      list.forEach(p -> names.add(p.getFileName().toString()));
    } catch (IOException e) {
      // Vanished or unreadable: treat as empty, teardown then deletes nothing it cannot attribute.
    }
    return names;
  }

  static Set<String> subdirectories(Path root, int maxDepth) {
    Set<String> dirs = new TreeSet<>();
    try (Stream<Path> walk = Files.walk(root, maxDepth)) {
      walk.filter(p -> !p.equals(root) && Files.isDirectory(p))
          .forEach(p -> dirs.add(root.relativize(p).toString()));
    } catch (IOException | java.io.UncheckedIOException e) {
      // A cgroup removed while we walked: it is not ours either way.
    }
    return dirs;
  }

  boolean cgroupExisted(Path mountPoint, String relative) {
    return cgroupDirs.getOrDefault(mountPoint.toString(), Set.of()).contains(relative);
  }
}
