package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OomKillCounterTest {

  @Test
  void readsCgroupV1OomControl(@TempDir Path root) throws Exception {
    Path dir = Files.createDirectories(root.resolve("memory/default/c1"));
    Files.writeString(dir.resolve("memory.oom_control"), "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
    assertEquals(OptionalLong.of(3), new OomKillCounter(root).oomKills("/default/c1"));
  }

  @Test
  void readsCgroupV2MemoryEvents(@TempDir Path root) throws Exception {
    Files.writeString(root.resolve("cgroup.controllers"), "cpu memory pids\n");
    Path dir = Files.createDirectories(root.resolve("kubepods.slice/c1.scope"));
    Files.writeString(dir.resolve("memory.events"), "low 0\nhigh 0\nmax 4\noom 2\noom_kill 2\noom_group_kill 0\n");
    assertEquals(OptionalLong.of(2), new OomKillCounter(root).oomKills("/kubepods.slice/c1.scope"));
  }

  @Test
  void missingOrMalformedIsEmptyNeverAnException(@TempDir Path root) throws Exception {
    OomKillCounter counter = new OomKillCounter(root);
    assertEquals(OptionalLong.empty(), counter.oomKills("/gone"));
    assertEquals(OptionalLong.empty(), counter.oomKills(""));
    assertEquals(OptionalLong.empty(), OomKillCounter.parseOomKill("oom_kill lots\n"));
    assertEquals(OptionalLong.empty(), OomKillCounter.parseOomKill(""));
    assertEquals(OptionalLong.empty(), OomKillCounter.parseOomKill("oom_kill 99999999999999999999999\n"));
  }
}
