package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.cgroup.CgroupStats.Hugetlb;
import io.containerdexporter.metrics.ReadErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HugetlbFilesTest {

  @TempDir Path tmp;

  private CgroupDir dir(Path path) throws CgroupUnreadableException {
    return CgroupDir.open(path, new ReadErrors("test", "cgroup"), CgroupDir.Opener.FILES)
        .orElseThrow();
  }

  private static void write(Path dir, String name, String text) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name), text);
  }

  @Test
  void hugetlbIsOneOfTheControllersOnlyAsAWholeName() {
    assertTrue(HugetlbFiles.listsHugetlb("cpuset cpu io memory hugetlb pids rdma misc\n"));
    assertTrue(HugetlbFiles.listsHugetlb("hugetlb\n"));
    assertFalse(HugetlbFiles.listsHugetlb("cpu memory pids\n"));
    assertFalse(HugetlbFiles.listsHugetlb("\n"));
    assertFalse(HugetlbFiles.listsHugetlb("hugetlbx cpu\n"));
  }

  @Test
  void v2ReadsTheSizesOnceAndNothingWhereTheControllerIsNotEnabled() throws Exception {
    Path a = tmp.resolve("a");
    write(a, "cgroup.controllers", "cpu memory hugetlb pids\n");
    write(a, "hugetlb.2MB.current", "4194304\n");
    write(a, "hugetlb.2MB.events", "max 3\n");
    write(a, "hugetlb.2MB.rsvd.current", "0\n");
    write(a, "hugetlb.1GB.current", "0\n");
    write(a, "hugetlb.1GB.events", "max 0\n");
    Path b = tmp.resolve("b"); // the same files, but its parent does not delegate hugetlb
    write(b, "cgroup.controllers", "cpu memory pids\n");
    write(b, "hugetlb.2MB.current", "1\n");
    write(b, "hugetlb.2MB.events", "max 1\n");
    HugetlbFiles files = HugetlbFiles.v2();

    List<Hugetlb> expected =
        List.of(
            new Hugetlb("1GB", 0, OptionalLong.empty(), 0),
            new Hugetlb("2MB", 4194304, OptionalLong.empty(), 3));
    assertEquals(expected, files.readV2(dir(a)));
    assertEquals(List.of(), files.readV2(dir(b)));
    // A size the kernel has but this cgroup's files lack is left out, as a listing would.
    Files.delete(a.resolve("hugetlb.1GB.current"));
    assertEquals(List.of(expected.get(1)), files.readV2(dir(a)));
  }
}
