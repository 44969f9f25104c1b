package io.containerdexporter.it;

import io.containerdexporter.cri.CgroupParents;
import io.containerdexporter.cri.CriChannel;
import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.v1.ContainerConfig;
import io.containerdexporter.cri.v1.ContainerMetadata;
import io.containerdexporter.cri.v1.ContainerState;
import io.containerdexporter.cri.v1.CreateContainerRequest;
import io.containerdexporter.cri.v1.ImageSpec;
import io.containerdexporter.cri.v1.LinuxContainerConfig;
import io.containerdexporter.cri.v1.LinuxContainerResources;
import io.containerdexporter.cri.v1.LinuxPodSandboxConfig;
import io.containerdexporter.cri.v1.LinuxSandboxSecurityContext;
import io.containerdexporter.cri.v1.NamespaceMode;
import io.containerdexporter.cri.v1.NamespaceOption;
import io.containerdexporter.cri.v1.PodSandboxConfig;
import io.containerdexporter.cri.v1.PodSandboxMetadata;
import io.containerdexporter.cri.v1.RemovePodSandboxRequest;
import io.containerdexporter.cri.v1.RunPodSandboxRequest;
import io.containerdexporter.cri.v1.RuntimeServiceGrpc;
import io.containerdexporter.cri.v1.StartContainerRequest;
import io.containerdexporter.cri.v1.StopPodSandboxRequest;
import io.containerdexporter.testkit.ContainerdSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Kubernetes pod the way kubelet asks for one with a pod network and a container with CPU and
 * memory limits. CriClient runs only hostNetwork pods and BestEffort containers, hence this own,
 * minimal CRI caller (on the tests' CriChannel). The network is a CNI bridge with no gateway
 * address from CNI (which would also switch on the host's ip_forward); the test puts the address on
 * the bridge itself, so that the pod's pings to it are answered and both directions carry bytes.
 */
final class NetworkedPod implements AutoCloseable {

  static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  static final String NAMESPACE = "shop";
  static final String POD = "web-0";
  static final String CONTAINER = "app";

  /**
   * 0.2 CPU: 13105 reads the quota as cores by dividing it by a hard-coded 100000 (the default
   * period).
   */
  static final long CPU_QUOTA = 20_000;

  static final long CPU_PERIOD = 100_000;
  static final long MEMORY_LIMIT = 64L << 20;

  /** What the workload holds in a shell variable (anonymous memory: rss and working set). */
  static final long HELD = 8L << 20;

  /**
   * What the workload writes to its root filesystem (the writable layer: container_fs_usage_bytes).
   */
  static final long WRITTEN = 2L << 20;

  /** A container whose child is OOM-killed; and one that exits 1 and is restarted. */
  static final String OOMER = "oomer";

  static final String JOB = "job";
  static final long OOMER_LIMIT = 16L << 20;

  private final CriChannel channel;
  private final String bridge;
  private final String gateway;
  private final CgroupParents cgroupParents = new CgroupParents();
  private String podId;
  private Path logDirectory;

  private NetworkedPod(ContainerdSandbox containerd, String bridge, String gateway) {
    this.bridge = bridge;
    this.gateway = gateway;
    this.channel = new CriChannel(containerd.socket());
  }

  String gateway() {
    return gateway;
  }

  private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
    return RuntimeServiceGrpc.newBlockingStub(channel.channel())
        .withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  static NetworkedPod start(ContainerdSandbox containerd) {
    Path cniBin = Path.of("/usr/lib/cni/bridge");
    if (!Files.isExecutable(cniBin)) {
      throw new IllegalStateException(
          cniBin + " missing: apt-get install containernetworking-plugins");
    }
    // Per-JVM bridge and subnet: test JVMs run side by side on one host. Bridge names have at
    // most 15 chars.
    long pid = ProcessHandle.current().pid();
    String bridge = "cedash" + (pid % 100_000);
    String subnet = "10.213." + (pid % 250) + ".0/24";
    String gateway = "10.213." + (pid % 250) + ".1";
    NetworkedPod pod = new NetworkedPod(containerd, bridge, gateway);
    try {
      pod.run(containerd, subnet);
      return pod;
    } catch (RuntimeException | AssertionError e) {
      pod.close();
      throw e;
    }
  }

  private void run(ContainerdSandbox containerd, String subnet) {
    writeCniConfig(containerd, subnet);
    String uid = UUID.randomUUID().toString();
    // kubelet's cgroupfs layout for a Burstable pod, under a cgroup root of the sandbox's own
    // (its temp dir name).
    String cgroupParent =
        "/" + containerd.tempDir().getFileName() + "/kubepods/burstable/pod" + uid;
    cgroupParents.claim(cgroupParent);
    logDirectory =
        containerd.tempDir().resolve("pod-logs").resolve(NAMESPACE + "_" + POD + "_" + uid);
    PodSandboxConfig config =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder().setName(POD).setUid(uid).setNamespace(NAMESPACE))
            .setHostname(POD)
            .setLogDirectory(logDirectory.toString())
            .putLabels("io.kubernetes.pod.name", POD)
            .putLabels("io.kubernetes.pod.namespace", NAMESPACE)
            .putLabels("io.kubernetes.pod.uid", uid)
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setCgroupParent(cgroupParent)
                    .setSecurityContext(
                        LinuxSandboxSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder()
                                    .setNetwork(
                                        NamespaceMode
                                            .POD) // a pod network: the point of this helper
                                    .setPid(NamespaceMode.CONTAINER)
                                    .setIpc(NamespaceMode.POD))))
            .build();
    // containerd picks the conflist up through fsnotify; until then RunPodSandbox fails "cni
    // config uninitialized".
    podId =
        Await.until(
            Duration.ofSeconds(10),
            "RunPodSandbox with the CNI bridge",
            () ->
                runtime()
                    .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
                    .getPodSandboxId(),
            id -> true);
    // The bridge exists now (CNI ADD made it): give it the gateway address the workload pings.
    sh("ip", "addr", "add", gateway + "/24", "dev", bridge);

    String script =
        String.join(
            "\n",
            // CPU: a busy loop, held to the 0.2 CPU quota by CFS
            "(while :; do :; done) &",
            // the writable layer: 2 MiB in the container's root filesystem
            "dd if=/dev/zero of=/fill bs=1048576 count=" + (WRITTEN >> 20) + " 2>/dev/null",
            // anonymous memory the shell keeps (rss, working set)
            "x=$(yes aaaaaaaaaaaaaaa | head -c " + HELD + ")",
            // network: echo requests to the bridge, answered by the host
            "while :; do ping -c 1 -W 1 " + gateway + " >/dev/null 2>&1; sleep 0.2; done");
    // What kubelet sends for limits cpu: 200m, memory: 64Mi (requests the same: shares 204).
    start(
        config,
        uid,
        CONTAINER,
        0,
        script,
        LinuxContainerResources.newBuilder()
            .setCpuPeriod(CPU_PERIOD)
            .setCpuQuota(CPU_QUOTA)
            .setCpuShares(204)
            .setMemoryLimitInBytes(MEMORY_LIMIT)
            .build());
    // A child grows a shell variable until the kernel kills it; PID 1 lives on: an OOM kill with
    // no exit and no restart. The pause lets Prometheus scrape the counter at 0 first.
    start(
        config,
        uid,
        OOMER,
        0,
        "sleep 3; (x=a; while :; do x=$x$x; done); sleep 2147483647",
        LinuxContainerResources.newBuilder().setMemoryLimitInBytes(OOMER_LIMIT).build());
    // A container that fails once (exit 1) and is restarted the way kubelet restarts one: a new
    // container under the same name, next attempt.
    String failed =
        start(config, uid, JOB, 0, "sleep 1; exit 1", LinuxContainerResources.getDefaultInstance());
    Await.until(
        Duration.ofSeconds(20),
        "the job's first attempt to exit",
        () -> CriClient.containerState(runtime(), failed),
        st -> st == ContainerState.CONTAINER_EXITED);
    start(config, uid, JOB, 1, "sleep 2147483647", LinuxContainerResources.getDefaultInstance());
  }

  private String start(
      PodSandboxConfig sandbox,
      String uid,
      String name,
      int attempt,
      String script,
      LinuxContainerResources resources) {
    ContainerConfig container =
        ContainerConfig.newBuilder()
            .setMetadata(ContainerMetadata.newBuilder().setName(name).setAttempt(attempt))
            .setImage(ImageSpec.newBuilder().setImage(BUSYBOX))
            .addAllCommand(List.of("sh", "-c", script))
            .putLabels("io.kubernetes.pod.name", POD)
            .putLabels("io.kubernetes.pod.namespace", NAMESPACE)
            .putLabels("io.kubernetes.pod.uid", uid)
            .putLabels("io.kubernetes.container.name", name)
            .setLogPath(name + "/" + attempt + ".log")
            .setLinux(LinuxContainerConfig.newBuilder().setResources(resources))
            .build();
    mkdirs(logDirectory.resolve(name));
    String containerId =
        runtime()
            .createContainer(
                CreateContainerRequest.newBuilder()
                    .setPodSandboxId(podId)
                    .setConfig(container)
                    .setSandboxConfig(sandbox)
                    .build())
            .getContainerId();
    runtime()
        .startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
    return containerId;
  }

  private void writeCniConfig(ContainerdSandbox containerd, String subnet) {
    // No isGateway/ipMasq: CNI would enable ip_forward and add iptables rules on the host, which
    // we leave alone.
    String conflist =
        """
        {"cniVersion": "0.4.0", "name": "dashboard-it", "plugins": [
          {"type": "bridge", "bridge": "%s", "ipam": {"type": "host-local",
            "ranges": [[{"subnet": "%s"}]], "dataDir": "%s"}}]}
        """
            .formatted(bridge, subnet, containerd.tempDir().resolve("cni-ipam"));
    try {
      Files.writeString(containerd.cniConfDir().resolve("10-dashboard-it.conflist"), conflist);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * What kubelet does on pod deletion (stop: CNI DEL; remove), then the host side: cgroups, the
   * bridge.
   */
  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    if (podId != null) {
      try {
        runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
        runtime()
            .removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
      } catch (RuntimeException e) {
        problems.add("pod " + podId + ": " + e.getMessage());
      }
    }
    channel.close();
    // runc mkdir -p's the pod's cgroup parent in every hierarchy but never removes it.
    problems.addAll(cgroupParents.removeCreated());
    // CNI DEL removes the veth but leaves the bridge it made.
    if (Files.exists(Path.of("/sys/class/net", bridge))) {
      try {
        sh("ip", "link", "del", bridge);
      } catch (RuntimeException e) {
        problems.add(e.getMessage());
      }
    }
    // Never throw from teardown: it would hide the test's own failure.
    problems.forEach(p -> System.err.println("[dashboard-it] cleanup: " + p));
  }

  private static void sh(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      if (p.waitFor() != 0) {
        throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
