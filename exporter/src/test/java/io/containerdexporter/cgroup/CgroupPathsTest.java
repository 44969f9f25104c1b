package io.containerdexporter.cgroup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class CgroupPathsTest {

  @Test
  void cgroupfsPathsStayAsTheyAre() {
    assertEquals("/default/c1", CgroupPaths.fromSpec("/default/c1"));
    assertEquals(
        "/kubepods/burstable/pod1/abc", CgroupPaths.fromSpec("/kubepods/burstable/pod1/abc"));
    assertEquals("/relative/x", CgroupPaths.fromSpec("relative/x"));
    assertEquals("", CgroupPaths.fromSpec(""));
  }

  @Test
  void systemdPathsExpandLikeRunc() {
    assertEquals(
        "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-abc.scope",
        CgroupPaths.fromSpec("kubepods-burstable-pod1.slice:cri-containerd:abc"));
    assertEquals("/system.slice/docker-abc.scope", CgroupPaths.fromSpec(":docker:abc"));
    assertEquals("/abc.scope", CgroupPaths.fromSpec("-.slice::abc"));
    assertEquals("", CgroupPaths.fromSpec("bad--name.slice:p:x"));
  }

  @Test
  void sliceExpansion() {
    assertEquals("/a.slice/a-b.slice/a-b-c.slice", CgroupPaths.expandSlice("a-b-c.slice"));
    assertNull(CgroupPaths.expandSlice("a-.slice"));
    assertNull(CgroupPaths.expandSlice("noslice"));
  }
}
