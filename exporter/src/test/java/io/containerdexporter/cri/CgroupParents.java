package io.containerdexporter.cri;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pod cgroup parents a test hands to CRI. runc creates them (mkdir -p) in every hierarchy but
 * only ever removes the container's own leaf, and the testkit's teardown knows only {@code
 * <namespace>/<id>} cgroups: so whoever picks a parent removes it again. Only directories that did
 * not exist before are removed, and only with rmdir, which the kernel refuses for a cgroup that
 * still has children or processes.
 */
public final class CgroupParents {

  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final List<Path> created = new ArrayList<>();

  /**
   * Remembers which levels of {@code parent} (e.g. /kubepods/besteffort/pod123) do not exist yet.
   */
  public synchronized void claim(String parent) {
    for (Path hierarchy : hierarchies()) {
      Path dir = hierarchy;
      for (String level : parent.replaceFirst("^/", "").split("/")) {
        dir = dir.resolve(level);
        if (!Files.exists(dir) && !created.contains(dir)) {
          created.add(dir);
        }
      }
    }
  }

  /** rmdir, deepest first; returns what could not be removed. */
  public synchronized List<String> removeCreated() {
    List<String> problems = new ArrayList<>();
    created.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path dir : created) {
      if (!rmdir(dir)) {
        problems.add("cannot rmdir " + dir);
      }
    }
    created.clear();
    return problems;
  }

  private static boolean rmdir(Path dir) {
    for (int attempt = 0; attempt < 20; attempt++) {
      try {
        Files.deleteIfExists(dir);
        return true;
      } catch (IOException e) {
        // EBUSY while the last process of a just-removed container is still being reaped, or a
        // non-empty level.
        try {
          Thread.sleep(50);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
    }
    return false;
  }

  /**
   * cgroup v2: the root itself; v1 (and hybrid): every mounted hierarchy below it, not the cpu ->
   * cpu,cpuacct links.
   */
  private static List<Path> hierarchies() {
    if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
      return List.of(ROOT);
    }
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(ROOT)) {
      for (Path entry : entries) {
        if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
          out.add(entry);
        }
      }
    } catch (IOException e) {
      return List.of();
    }
    return out;
  }
}
