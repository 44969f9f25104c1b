package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A v1 hierarchy's missing files are asked for by two tasks, not by every task: the v1 fixture is a
 * 5.x kernel's, whose blkio has no CFQ tables, so every task's read falls through the BFQ tables
 * (only "Total 0") to the CFQ ones, which are not there, before the throttle ones.
 */
class AbsentFilesTest {

  private static final Path C1 = Path.of("/sys/fs/cgroup/blkio/default/c1");
  private static final Path C2 = Path.of("/sys/fs/cgroup/blkio/default/c2");

  @TempDir Path tmp;

  @Test
  void aMissingNameIsKnownUntilTheRecheckIsDue() {
    AtomicLong now = new AtomicLong(1_000);
    AbsentFiles absent = new AbsentFiles(now::get, Duration.ofMinutes(10));
    assertFalse(absent.known("blkio.io_serviced_recursive"));
    absent.missing("blkio.io_serviced_recursive", C1);
    assertFalse(absent.known("blkio.io_serviced_recursive"), "one cgroup proves nothing");
    absent.missing("blkio.io_serviced_recursive", C1);
    assertFalse(absent.known("blkio.io_serviced_recursive"), "nor the same one twice");
    absent.missing("blkio.io_serviced_recursive", C2);
    assertTrue(absent.known("blkio.io_serviced_recursive"), "a second one does");
    now.addAndGet(Duration.ofMinutes(10).toNanos() - 1);
    assertTrue(absent.known("blkio.io_serviced_recursive"));
    assertFalse(absent.known("blkio.io_service_bytes_recursive"), "only the name seen missing");
    now.addAndGet(1);
    assertFalse(absent.known("blkio.io_serviced_recursive"), "asked again: BFQ may load later");
    absent.missing("blkio.io_serviced_recursive", C1);
    assertFalse(absent.known("blkio.io_serviced_recursive"), "until two cgroups lack it again");
  }

  @Test
  void noneRemembersNothing() {
    AbsentFiles.NONE.missing("memory.stat", C1);
    AbsentFiles.NONE.missing("memory.stat", C2);
    assertFalse(AbsentFiles.NONE.known("memory.stat"));
  }

  @Test
  void theThirdTaskIsNotAskedForWhatTheFirstTwoLackedAndReadsTheSame() throws IOException {
    Path root = CgroupFixtures.copy("v1", tmp.resolve("v1"));
    for (String controller : List.of("cpu,cpuacct", "memory", "pids", "blkio", "hugetlb")) {
      for (String copy : List.of("c2", "c3")) {
        CgroupFixtures.copyTree(
            root.resolve(controller).resolve("default/c1"),
            root.resolve(controller).resolve("default/" + copy));
      }
    }
    List<String> opened = new ArrayList<>();
    CgroupDir.Opener counting =
        path -> {
          opened.add(path.getParent().getFileName() + "/" + path.getFileName());
          return Files.newInputStream(path);
        };
    CgroupV1Reader reader =
        new CgroupV1Reader(
            root, CgroupFixtures.readErrors(), CgroupFixtures.readFailures(), counting);
    CgroupStats first = reader.read(CgroupFixtures.V1_C1).stats().orElseThrow();
    assertTrue(opened.contains("c1/blkio.io_serviced_recursive"), "asked: " + opened);
    int perTask = opened.size();
    reader.read("/default/c2");
    assertTrue(opened.contains("c2/blkio.io_serviced_recursive"), "asked again: " + opened);

    opened.clear();
    CgroupStats third = reader.read("/default/c3").stats().orElseThrow();
    assertFalse(opened.contains("c3/blkio.io_serviced_recursive"), opened.toString());
    assertEquals(perTask - 1, opened.size(), "every other file is still read: " + opened);
    assertTrue(opened.contains("c3/blkio.throttle.io_serviced_recursive"), opened.toString());

    CgroupStats fresh =
        new CgroupV1Reader(root, CgroupFixtures.readErrors(), CgroupFixtures.readFailures())
            .read("/default/c3")
            .stats()
            .orElseThrow();
    assertEquals(fresh, third, "the same values as a reader that asked for everything");
    assertEquals(first, third, "c3 is a copy of c1");
  }

  @Test
  void theRootTeachesNothing() throws IOException {
    Path root = CgroupFixtures.copy("v1", tmp.resolve("v1"));
    List<String> opened = new ArrayList<>();
    CgroupDir.Opener counting =
        path -> {
          opened.add(path.getFileName().toString());
          return Files.newInputStream(path);
        };
    CgroupV1Reader reader =
        new CgroupV1Reader(
            root, CgroupFixtures.readErrors(), CgroupFixtures.readFailures(), counting);
    reader.read("/");
    assertFalse(Files.exists(root.resolve("pids/pids.current")), "the fixture's root has none");
    assertTrue(opened.contains("pids.current"), opened.toString());
    opened.clear();
    assertTrue(reader.read(CgroupFixtures.V1_C1).stats().orElseThrow().pidsCurrent().isPresent());
    assertTrue(opened.contains("pids.current"), "still asked of a task: " + opened);
  }

  @Test
  void aCgroupThatIsGoneTeachesNothing() throws IOException, CgroupUnreadableException {
    Path root = CgroupFixtures.copy("v1", tmp.resolve("v1"));
    CgroupFixtures.copyTree(root.resolve("memory/default/c1"), root.resolve("memory/default/c2"));
    AbsentFiles absent = AbsentFiles.v1();
    Path c2 = root.resolve("memory/default/c2");
    CgroupDir dir =
        CgroupDir.open(c2, CgroupFixtures.readErrors(), CgroupDir.Opener.FILES, absent)
            .orElseThrow();
    try (var files = Files.list(c2)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    Files.delete(c2);
    CgroupUnreadableException gone =
        assertThrows(CgroupUnreadableException.class, () -> dir.read("memory.stat"));
    assertEquals(CgroupFailure.VANISHED, gone.reason());
    assertFalse(absent.known("memory.stat"), "a task that exited says nothing of its hierarchy");
  }
}
