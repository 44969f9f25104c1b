package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Against a real containerd: one sandbox through its whole life, ending with proof that it left
 * nothing behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerdSandboxIT {
  private static final String NS = "testkit-it";
  private static final String IMAGE = ContainerdSandbox.BUSYBOX_IMAGE;

  private HostBaseline before;
  private ContainerdSandbox sandbox;
  private Path tempDir;
  private long sleeperPid;

  @BeforeAll
  void start() {
    before = HostBaseline.capture();
    sandbox = ContainerdSandbox.start();
    tempDir = sandbox.tempDir();
  }

  @AfterAll
  void closeEvenIfAStepFailed() {
    sandbox.close();
  }

  @Test
  @Order(1)
  void reportsTheVersionCtrPrints() throws IOException {
    CtrResult printed =
        Commands.run(
                List.of("ctr", "--address", sandbox.socket().toString(), "version"),
                Duration.ofSeconds(10))
            .orThrow();

    assertEquals(CtrVersion.parse(printed.stdout()).serverVersion(), sandbox.serverVersion());
    assertEquals(CtrVersion.parse(printed.stdout()).serverRevision(), sandbox.serverRevision());
    assertTrue(sandbox.socket().startsWith(tempDir));
    assertTrue(sandbox.daemonRunning());
    assertTrue(Files.size(sandbox.daemonLog()) > 0, "daemon log is written");
  }

  @Test
  @Order(2)
  void servesItsOwnMetrics() throws IOException, InterruptedException {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + sandbox.metricsAddress() + "/v1/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());

    assertEquals(200, response.statusCode());
    assertTrue(response.body().contains("# TYPE"), "Prometheus text format");
  }

  @Test
  @Order(3)
  void runsBusyboxWithPrivateRuncState() {
    sandbox.importBusybox(NS, IMAGE);
    sandbox.run(
        NS,
        "sleeper",
        IMAGE,
        RunOptions.builder().label("role", "sleeper").build(),
        "sleep",
        "100000");

    assertEquals("RUNNING", sandbox.taskStatus(NS, "sleeper"));
    sleeperPid = sandbox.tasks(NS).get(0).pid();
    assertTrue(
        Files.isDirectory(sandbox.runcRoot().resolve(NS).resolve("sleeper")),
        "runc state in sandbox");
    assertFalse(
        Files.exists(HostBaseline.RUNC_ROOT.resolve(NS)), "nothing in /run/containerd/runc");
    assertTrue(
        Files.isDirectory(Path.of("/sys/fs/cgroup/memory", NS, "sleeper")), "v1 memory cgroup");
    assertTrue(sandbox.namespaces().contains(NS));
  }

  @Test
  @Order(4)
  void execsIntoARunningTask() {
    CtrResult passwd = sandbox.exec(NS, "sleeper", "exec-1", "cat", "/etc/passwd");

    assertTrue(passwd.stdout().startsWith("root:x:0:0:"), passwd.stdout());
  }

  @Test
  @Order(5)
  void anOomKillStopsTheTaskWith137() {
    sandbox.run(
        NS,
        "oom1",
        IMAGE,
        RunOptions.builder().memoryLimitBytes(8_388_608).build(),
        "/bin/sh",
        "-c",
        "x=a; while :; do x=$x$x; done");

    sandbox.awaitTaskStatus(NS, "oom1", "STOPPED", Duration.ofSeconds(20));
    assertEquals(137, sandbox.deleteTask(NS, "oom1"));
    sandbox.deleteContainer(NS, "oom1");
    assertEquals(ContainerdSandbox.NO_TASK, sandbox.taskStatus(NS, "oom1"));
  }

  @Test
  @Order(6)
  void tasksSurviveASigkilledDaemon() {
    long firstDaemon = sandbox.daemonPid();

    sandbox.killDaemon();
    assertFalse(sandbox.daemonRunning());
    assertTrue(ProcFs.isRunning(sleeperPid), "task outlives daemon");

    sandbox.restartDaemon();
    assertTrue(sandbox.daemonRunning());
    assertNotEquals(firstDaemon, sandbox.daemonPid());
    assertEquals("RUNNING", sandbox.taskStatus(NS, "sleeper"));
  }

  @Test
  @Order(7)
  void closeLeavesNothingBehind() {
    String marker = tempDir.toString();
    Set<String> containerIds = Set.of("sleeper", "oom1");

    sandbox.close();

    assertEquals(List.of(), ProcFs.processesMentioning(marker), "processes mentioning " + marker);
    assertFalse(ProcFs.isRunning(sleeperPid), "sleeper is dead");
    assertEquals(List.of(), ProcFs.mountsUnder(tempDir), "mounts under " + marker);
    assertFalse(Files.exists(tempDir), marker + " deleted");
    Set<String> sockets = HostBaseline.entries(HostBaseline.SHIM_SOCKETS);
    sockets.removeAll(before.shimSockets());
    assertEquals(Set.of(), sockets, "new shim sockets");
    assertEquals(List.of(), leftoverCgroups(containerIds), "cgroups created by the sandbox");
    if (!before.runcEntries().contains(NS)) {
      assertFalse(Files.exists(HostBaseline.RUNC_ROOT.resolve(NS)));
    }
    if (!before.runContainerdExisted()) {
      assertFalse(
          Files.exists(HostBaseline.RUN_CONTAINERD), "/run/containerd was absent and is again");
    }
    assertDoesNotThrow(sandbox::close, "close twice");
  }

  private List<Path> leftoverCgroups(Set<String> containerIds) {
    List<Path> leftovers = new ArrayList<>();
    for (Path mountPoint : ProcFs.cgroupMountPoints()) {
      if (!before.cgroupExisted(mountPoint, NS) && Files.exists(mountPoint.resolve(NS))) {
        leftovers.add(mountPoint.resolve(NS));
      }
      for (String id : containerIds) {
        String relative = NS + "/" + id;
        if (!before.cgroupExisted(mountPoint, relative)
            && Files.exists(mountPoint.resolve(relative))) {
          leftovers.add(mountPoint.resolve(relative));
        }
      }
    }
    return leftovers;
  }
}
