package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.logging.LogCapture;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task's cgroup that cannot be read, or goes away while it is read, in copies of the v1 and v2
 * fixture trees holding two tasks: the broken task gives a failure and no stats at all (never half
 * of them), counted once per read by reason and logged once per task; the other task reads as
 * before; a file that is merely absent is no failure. EACCES and EIO come from a stand-in {@link
 * CgroupDir.Opener} (the tests run as root, whom modes do not stop; ContainerdFaultsIT has the real
 * EACCES against a real daemon), "vanished" from a hook that really deletes the cgroup directories
 * while the read is under way.
 */
class CgroupReadFailureTest {

  static final String V1_C2 = "/default/c2";
  static final String V2_OTHER = CgroupFixtures.V2_SCOPE.replace("9f86d081", "0a0a0a0a");

  @TempDir Path tmp;

  private final ReadErrors errors = CgroupFixtures.readErrors();
  private final CgroupReadFailures failures = CgroupFixtures.readFailures();
  private LogCapture capture;
  private List<LogRecord> logged;

  @BeforeEach
  void captureLog() {
    capture = LogCapture.everything(CgroupReadFailures.class);
    logged = capture.records();
  }

  @AfterEach
  void releaseLog() {
    capture.close();
  }

  /** The v1 tree with a second task, c2, a copy of c1 in every controller. */
  private Path v1() throws IOException {
    Path root = CgroupFixtures.copy("v1", tmp.resolve("v1"));
    for (String controller : List.of("cpu,cpuacct", "memory", "pids", "blkio", "hugetlb")) {
      CgroupFixtures.copyTree(
          root.resolve(controller).resolve("default/c1"),
          root.resolve(controller).resolve("default/c2"));
    }
    return root;
  }

  /** The v2 tree with a second task, a copy of the first beside it. */
  private Path v2() throws IOException {
    Path root = CgroupFixtures.copy("v2-systemd", tmp.resolve("v2"));
    CgroupFixtures.copyTree(
        root.resolve(CgroupFixtures.V2_SCOPE.substring(1)), root.resolve(V2_OTHER.substring(1)));
    return root;
  }

  /** Fails to open one file of one task, as the kernel would with {@code error}. */
  private static CgroupDir.Opener failing(String task, String file, IOException error) {
    return path -> {
      if (path.endsWith(file) && path.toString().contains(task)) {
        throw error;
      }
      return Files.newInputStream(path);
    };
  }

  private static IOException eacces(String file) {
    return new AccessDeniedException(file);
  }

  private static IOException eio() {
    return new IOException("Input/output error");
  }

  private long total() {
    return failures.snapshot().values().stream().mapToLong(Long::longValue).sum();
  }

  @Test
  void v1DeniedMemoryFileDropsTheWholeTaskAndLeavesTheOtherOne() throws IOException {
    Path root = v1();
    CgroupStats before =
        new CgroupV1Reader(root, errors, failures).read(V1_C2).stats().orElseThrow();
    CgroupReader reader =
        new CgroupV1Reader(root, errors, failures, failing("/c1/", "memory.stat", eacces("x")));

    CgroupRead broken = reader.read(CgroupFixtures.V1_C1);
    CgroupRead other = reader.read(V1_C2);

    assertEquals(new CgroupRead(Optional.empty(), Optional.of(CgroupFailure.DENIED)), broken);
    assertEquals(Optional.of(before), other.stats(), "the other task reads as before");
    assertEquals(
        Map.of(CgroupFailure.VANISHED, 0L, CgroupFailure.DENIED, 1L, CgroupFailure.IO, 0L),
        failures.snapshot());
    assertEquals(Map.of(), errors.snapshot(), "not a malformed file");
  }

  @Test
  void v2DeniedAndIoErrorsAreCountedByReason() throws IOException {
    Path root = v2();
    CgroupStats before =
        new CgroupV2Reader(root, errors, failures).read(V2_OTHER).stats().orElseThrow();

    CgroupReader denied =
        new CgroupV2Reader(
            root, errors, failures, failing("9f86d081", "memory.current", eacces("x")));
    assertEquals(Optional.of(CgroupFailure.DENIED), denied.read(CgroupFixtures.V2_SCOPE).failure());
    assertEquals(Optional.of(before), denied.read(V2_OTHER).stats());

    CgroupReader io =
        new CgroupV2Reader(root, errors, failures, failing("9f86d081", "io.stat", eio()));
    CgroupRead failed = io.read(CgroupFixtures.V2_SCOPE);
    assertEquals(Optional.of(CgroupFailure.IO), failed.failure());
    assertEquals(Optional.empty(), failed.stats(), "not the values read before io.stat failed");
    assertEquals(Optional.of(before), io.read(V2_OTHER).stats());

    assertEquals(1, failures.count(CgroupFailure.DENIED));
    assertEquals(1, failures.count(CgroupFailure.IO));
    assertEquals(0, failures.count(CgroupFailure.VANISHED));
  }

  @Test
  void aFileThatIsADirectoryIsAnIoFailureOnARealFileSystem() throws IOException {
    Path root = v2();
    Path file = root.resolve(CgroupFixtures.V2_SCOPE.substring(1)).resolve("memory.stat");
    Files.delete(file);
    Files.createDirectory(file); // reading it fails with EISDIR, as no cgroup file can
    CgroupReader reader = new CgroupV2Reader(root, errors, failures);
    assertEquals(Optional.of(CgroupFailure.IO), reader.read(CgroupFixtures.V2_SCOPE).failure());
    assertTrue(reader.read(V2_OTHER).stats().isPresent());
    assertEquals(1, failures.count(CgroupFailure.IO));
  }

  @Test
  void v1CgroupRemovedDuringTheReadVanishes() throws IOException {
    Path root = v1();
    // The task exits while its memory files are read: its cgroup goes from every controller.
    CgroupDir.Opener exitDuringRead =
        path -> {
          if (path.endsWith("memory.max_usage_in_bytes") && path.toString().contains("/c1/")) {
            for (String controller : List.of("cpu,cpuacct", "memory", "pids", "blkio", "hugetlb")) {
              deleteTree(root.resolve(controller).resolve("default/c1"));
            }
          }
          return Files.newInputStream(path);
        };
    CgroupReader reader = new CgroupV1Reader(root, errors, failures, exitDuringRead);

    assertEquals(
        new CgroupRead(Optional.empty(), Optional.of(CgroupFailure.VANISHED)),
        reader.read(CgroupFixtures.V1_C1),
        "no CPU values without the memory ones");
    assertTrue(reader.read(V1_C2).stats().orElseThrow().memoryUsageBytes().isPresent());
    assertEquals(1, failures.count(CgroupFailure.VANISHED));
    assertEquals(1, total());
    assertEquals(CgroupRead.ABSENT, reader.read(CgroupFixtures.V1_C1), "gone before the next read");
    assertEquals(1, total(), "absent is not counted");
  }

  /**
   * The directories are found by reading their files, not looked at first; one that is missing at
   * its first file is no failure unless the directory found first has gone too.
   */
  @Test
  void v1TaskGoneBetweenTwoControllersVanishesWhereAControllerWithoutItsCgroupIsSkipped()
      throws IOException {
    Path root = v1();
    deleteTree(root.resolve("pids/default/c2")); // a controller without this task's cgroup
    CgroupReader reader = new CgroupV1Reader(root, errors, failures);
    CgroupStats partial = reader.read(V1_C2).stats().orElseThrow();
    assertTrue(partial.pidsCurrent().isEmpty(), "nothing from the controller that lacks it");
    assertTrue(partial.memoryUsageBytes().isPresent() && partial.cpuUsageSeconds().isPresent());
    assertEquals(0, total(), "not a failure");

    // c1 exits after its cpu files were read and before the first memory file is.
    CgroupDir.Opener exitBetween =
        path -> {
          InputStream in = Files.newInputStream(path);
          if (path.endsWith("cpu.cfs_period_us") && path.toString().contains("/c1/")) {
            for (String controller : List.of("cpu,cpuacct", "memory", "pids", "blkio", "hugetlb")) {
              deleteTree(root.resolve(controller).resolve("default/c1"));
            }
          }
          return in;
        };
    assertEquals(
        new CgroupRead(Optional.empty(), Optional.of(CgroupFailure.VANISHED)),
        new CgroupV1Reader(root, errors, failures, exitBetween).read(CgroupFixtures.V1_C1),
        "its memory directory was never found, but the cpu one it was read from went with it");
    assertEquals(1, failures.count(CgroupFailure.VANISHED));
    assertEquals(
        CgroupRead.ABSENT,
        new CgroupV1Reader(root, errors, failures).read(CgroupFixtures.V1_C1),
        "gone before the read began: absent, not counted");
    assertEquals(1, total());
  }

  @Test
  void v2CgroupRemovedDuringTheReadVanishes() throws IOException {
    Path root = v2();
    Path scope = root.resolve(CgroupFixtures.V2_SCOPE.substring(1));
    CgroupDir.Opener exitDuringRead =
        path -> {
          if (path.equals(scope.resolve("io.stat"))) {
            deleteTree(scope);
          }
          return Files.newInputStream(path);
        };
    CgroupReader reader = new CgroupV2Reader(root, errors, failures, exitDuringRead);
    assertEquals(
        Optional.of(CgroupFailure.VANISHED), reader.read(CgroupFixtures.V2_SCOPE).failure());
    assertTrue(reader.read(V2_OTHER).stats().isPresent());
    assertEquals(1, failures.count(CgroupFailure.VANISHED));
  }

  @Test
  void aDirectoryThatVanishesWhileItsFilesAreReadIsVanishedEvenWhenTheErrorIsNotEnoent()
      throws Exception {
    // The kernel fails a read of a removed cgroup's open file with ENODEV; what counts is that the
    // directory is gone afterwards.
    Path dir = Files.createDirectories(tmp.resolve("x"));
    Files.writeString(dir.resolve("memory.current"), "1\n");
    CgroupDir cgroup =
        CgroupDir.open(
                dir,
                errors,
                path -> {
                  deleteTree(dir);
                  throw new IOException("No such device");
                })
            .orElseThrow();
    CgroupUnreadableException e = assertThrowsUnreadable(() -> cgroup.value("memory.current"));
    assertEquals(CgroupFailure.VANISHED, e.reason());
  }

  @Test
  void missingOptionalFilesAreNoFailure() throws IOException {
    Path root = v2();
    Path scope = root.resolve(CgroupFixtures.V2_SCOPE.substring(1));
    for (String file : List.of("memory.peak", "memory.swap.current", "io.pressure", "pids.max")) {
      Files.delete(scope.resolve(file));
    }
    CgroupStats stats =
        new CgroupV2Reader(root, errors, failures)
            .read(CgroupFixtures.V2_SCOPE)
            .stats()
            .orElseThrow();
    assertEquals(OptionalLong.empty(), stats.memoryMaxUsageBytes());
    assertTrue(stats.memoryUsageBytes().isPresent());
    assertEquals(0, total());
    assertEquals(Map.of(), errors.snapshot());
    assertEquals(List.of(), logged);
  }

  @Test
  void oomKillsAndProcessesFollowTheSameRule() throws IOException {
    Path root = v1();
    for (String task : List.of("c1", "c2")) {
      Files.writeString(
          root.resolve("pids/default").resolve(task).resolve("cgroup.procs"), "41\n42\n");
    }
    CgroupReader reader =
        new CgroupV1Reader(
            root,
            errors,
            failures,
            path -> {
              if (path.toString().contains("/c1/")) {
                throw eacces(path.toString());
              }
              return Files.newInputStream(path);
            });
    assertEquals(OptionalLong.empty(), reader.oomKills(CgroupFixtures.V1_C1));
    assertEquals(Optional.empty(), reader.processes(CgroupFixtures.V1_C1));
    assertTrue(reader.oomKills(V1_C2).isPresent());
    assertEquals(Optional.of(List.of(41L, 42L)), reader.processes(V1_C2));
    assertEquals(2, failures.count(CgroupFailure.DENIED));
  }

  @Test
  void v2CgroupGoneBeforeItsFirstFileIsAbsentNotAFailure() throws IOException {
    Path v2 = v2();
    Path scope = v2.resolve(CgroupFixtures.V2_SCOPE.substring(1));
    CgroupReader reader =
        new CgroupV2Reader(
            v2,
            errors,
            failures,
            path -> {
              deleteTree(scope); // the task exits before the read's first file
              return Files.newInputStream(path);
            });
    assertEquals(CgroupRead.ABSENT, reader.read(CgroupFixtures.V2_SCOPE));
    assertEquals(0, total());
    assertEquals(List.of(), logged);
    assertTrue(reader.read(V2_OTHER).stats().isPresent(), "the other task reads as before");
  }

  @Test
  void eachTaskIsLoggedOnceVanishedAtDebugTheRestAsWarnings() throws IOException {
    Path root = v1();
    CgroupReader reader =
        new CgroupV1Reader(
            root,
            errors,
            failures,
            path -> {
              if (path.endsWith("memory.stat")) {
                throw eacces(path.toString());
              }
              return Files.newInputStream(path);
            });
    for (int poll = 0; poll < 3; poll++) {
      reader.read(CgroupFixtures.V1_C1);
      reader.read(V1_C2);
    }
    assertEquals(6, failures.count(CgroupFailure.DENIED));
    assertEquals(2, logged.size(), "one line per task, not per poll");
    assertEquals(Level.WARNING, logged.get(0).getLevel());
    String line = new java.util.logging.SimpleFormatter().formatMessage(logged.get(0));
    assertTrue(
        line.contains("/default/c1")
            && line.contains("memory.stat")
            && line.contains("Permission denied")
            && line.contains("containerd_exporter_cgroup_read_failures_total{reason=\"denied\"}"),
        line);

    logged.clear();
    Path v2 = v2();
    Path scope = v2.resolve(CgroupFixtures.V2_SCOPE.substring(1));
    new CgroupV2Reader(
            v2,
            errors,
            failures,
            path -> {
              if (path.endsWith("memory.stat")) { // after cpu.stat: the cgroup was found
                deleteTree(scope);
              }
              return Files.newInputStream(path);
            })
        .read(CgroupFixtures.V2_SCOPE);
    assertEquals(1, logged.size());
    assertEquals(Level.FINE, logged.get(0).getLevel(), "a task exiting is no warning");
  }

  @FunctionalInterface
  private interface Read {
    void run() throws CgroupUnreadableException;
  }

  private static CgroupUnreadableException assertThrowsUnreadable(Read read) {
    try {
      read.run();
    } catch (CgroupUnreadableException e) {
      return e;
    }
    throw new AssertionError("expected the read to fail");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.delete(p);
      }
    }
  }
}
