package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ContainerdConfigTest {
  private final SandboxLayout layout = new SandboxLayout(Path.of("/tmp/ctrd-sbx-1"));

  @Test
  void everyPathIsInsideTheSandbox() {
    String toml = ContainerdConfig.render(layout, "127.0.0.1:4321", 2, "");

    assertTrue(toml.startsWith("version = 2\n"), toml);
    assertTrue(toml.contains("root = \"/tmp/ctrd-sbx-1/root\"\n"), toml);
    assertTrue(toml.contains("state = \"/tmp/ctrd-sbx-1/state\"\n"), toml);
    assertTrue(toml.contains("[grpc]\n  address = \"/tmp/ctrd-sbx-1/containerd.sock\"\n"), toml);
    assertTrue(
        toml.contains("[ttrpc]\n  address = \"/tmp/ctrd-sbx-1/containerd.sock.ttrpc\"\n"), toml);
    assertTrue(toml.contains("[debug]\n  address = \"/tmp/ctrd-sbx-1/debug.sock\"\n"), toml);
    assertTrue(toml.contains("[metrics]\n  address = \"127.0.0.1:4321\"\n"), toml);
    assertTrue(toml.contains("conf_dir = \"/tmp/ctrd-sbx-1/cni-conf\"\n"), toml);
    assertTrue(
        toml.contains(
            "[plugins.\"io.containerd.grpc.v1.cri\".containerd.runtimes.runc.options]\n"
                + "  Root = \"/tmp/ctrd-sbx-1/runc\"\n"),
        toml);
  }

  @Test
  void criCanRunPodsOnThisKindOfVm() {
    String toml = ContainerdConfig.render(layout, "127.0.0.1:4321", 2, "");

    assertTrue(
        toml.contains("[plugins.\"io.containerd.grpc.v1.cri\"]\n  restrict_oom_score_adj = true\n"),
        toml);
    assertTrue(toml.contains("bin_dir = \"/usr/lib/cni\"\n"), toml);
  }

  @Test
  void version3UsesTheRenamedCriPlugin() {
    String toml = ContainerdConfig.render(layout, "127.0.0.1:4321", 3, "");

    assertTrue(toml.startsWith("version = 3\n"), toml);
    assertTrue(toml.contains("[plugins.\"io.containerd.cri.v1.runtime\"]\n"), toml);
    assertFalse(toml.contains("io.containerd.grpc.v1.cri"), toml);
    assertTrue(toml.contains("  bin_dirs = [\"/usr/lib/cni\"]\n"), toml);
  }

  @Test
  void criOverTcpIsOffUnlessAskedForAndThenInTheReleasesOwnTable() {
    assertFalse(ContainerdConfig.render(layout, "127.0.0.1:4321", 2, "").contains("tcp"));
    String v2 = ContainerdConfig.render(layout, "127.0.0.1:4321", 2, "", "0.0.0.0:10010");
    String v3 = ContainerdConfig.render(layout, "127.0.0.1:4321", 3, "", "0.0.0.0:10010");

    for (String toml : new String[] {v2, v3}) {
      assertTrue(
          toml.contains(
              "[grpc]\n  address = \"/tmp/ctrd-sbx-1/containerd.sock\"\n"
                  + "  tcp_address = \"0.0.0.0:10010\"\n"),
          toml);
    }
    assertTrue(
        v2.contains("  netns_mounts_under_state_dir = true\n  disable_tcp_service = false\n"), v2);
    assertTrue(
        v3.contains("[plugins.\"io.containerd.grpc.v1.cri\"]\n  disable_tcp_service = false\n"),
        v3);
  }

  @Test
  void everyReleaseAsksForThePauseImageTheSandboxImports() {
    String v2 = ContainerdConfig.render(layout, "127.0.0.1:4321", 2, "");
    String v3 = ContainerdConfig.render(layout, "127.0.0.1:4321", 3, "");

    assertTrue(v2.contains("  sandbox_image = \"registry.k8s.io/pause:3.6\"\n"), v2);
    assertTrue(
        v3.contains(
            "[plugins.\"io.containerd.cri.v1.images\".pinned_images]\n"
                + "  sandbox = \"registry.k8s.io/pause:3.6\"\n"),
        v3);
  }

  @Test
  void extraTomlIsAppended() {
    String toml =
        ContainerdConfig.render(
            layout,
            "127.0.0.1:4321",
            2,
            "[timeouts]\n  \"io.containerd.timeout.shim.cleanup\" = \"5s\"\n");

    assertTrue(
        toml.endsWith("[timeouts]\n  \"io.containerd.timeout.shim.cleanup\" = \"5s\"\n"), toml);
  }

  @Test
  void extraTopLevelKeysGoBeforeTheFirstTable() {
    String toml =
        ContainerdConfig.render(
            layout,
            "127.0.0.1:4321",
            2,
            "disabled_plugins = [\"io.containerd.grpc.v1.snapshots\"]\n[timeouts]\n  x = 1\n");

    int key = toml.indexOf("disabled_plugins = [\"io.containerd.grpc.v1.snapshots\"]\n");
    assertTrue(key > 0 && key < toml.indexOf("[grpc]"), toml);
    assertTrue(toml.endsWith("[timeouts]\n  x = 1\n"), toml);
  }

  @Test
  void quotesBackslashesAndQuotes() {
    assertEquals("\"a\\\\b\\\"c\"", ContainerdConfig.quote("a\\b\"c"));
  }
}
