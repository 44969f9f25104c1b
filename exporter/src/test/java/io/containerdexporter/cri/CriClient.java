package io.containerdexporter.cri;

import io.containerdexporter.cri.v1.ContainerConfig;
import io.containerdexporter.cri.v1.ContainerFilter;
import io.containerdexporter.cri.v1.ContainerMetadata;
import io.containerdexporter.cri.v1.ContainerState;
import io.containerdexporter.cri.v1.CreateContainerRequest;
import io.containerdexporter.cri.v1.ImageSpec;
import io.containerdexporter.cri.v1.LinuxContainerConfig;
import io.containerdexporter.cri.v1.LinuxContainerResources;
import io.containerdexporter.cri.v1.LinuxPodSandboxConfig;
import io.containerdexporter.cri.v1.LinuxSandboxSecurityContext;
import io.containerdexporter.cri.v1.ListContainersRequest;
import io.containerdexporter.cri.v1.NamespaceMode;
import io.containerdexporter.cri.v1.NamespaceOption;
import io.containerdexporter.cri.v1.PodSandboxConfig;
import io.containerdexporter.cri.v1.PodSandboxMetadata;
import io.containerdexporter.cri.v1.RemoveContainerRequest;
import io.containerdexporter.cri.v1.RemovePodSandboxRequest;
import io.containerdexporter.cri.v1.RunPodSandboxRequest;
import io.containerdexporter.cri.v1.RuntimeServiceGrpc;
import io.containerdexporter.cri.v1.StartContainerRequest;
import io.containerdexporter.cri.v1.StopContainerRequest;
import io.containerdexporter.cri.v1.StopPodSandboxRequest;
import io.containerdexporter.testkit.ContainerdSandbox;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Plays kubelet against a {@link CriNode}'s containerd through CRI (runtime.v1 on containerd's main
 * socket, or its TCP listener from outside a guest): pods with host networking (no CNI needed),
 * containers with the labels and annotations kubelet sets, and kubelet's restart pattern (a new
 * container, same pod and name, attempt + 1, the dead one kept).
 *
 * <p>Everything lives in containerd namespace {@value #K8S_NAMESPACE}, which the sandbox's teardown
 * cleans; {@link #close()} also stops and removes every pod still around, as kubelet would, and the
 * pod cgroup parents it made.
 */
public final class CriClient implements AutoCloseable {

  /** The containerd namespace CRI always uses. */
  public static final String K8S_NAMESPACE = "k8s.io";

  private final CriNode node;

  /**
   * Where this client's pods live: kubelet's cgroupfs layout {@code
   * <cgroup-root>/kubepods/besteffort/pod<uid>} with a {@code --cgroup-root} of its own (the
   * sandbox's temp dir name). Not the bare {@code /kubepods}: test JVMs run side by side on one
   * host, and a shared level created by one and still used by another would outlive both.
   */
  private final String qosParent;

  private final CriChannel channel;
  private final CgroupParents cgroupParents = new CgroupParents();
  private final Map<String, PodSandboxConfig> pods = new ConcurrentHashMap<>();

  private CriClient(CriNode node) {
    this.node = node;
    this.qosParent = "/" + node.scratchDir().getFileName() + "/kubepods/besteffort";
    this.channel = new CriChannel(node.criAddress());
  }

  /**
   * Connects and imports the pause image every RunPodSandbox needs ({@value
   * ContainerdSandbox#PAUSE_IMAGE}).
   */
  public static CriClient connect(ContainerdSandbox sandbox) {
    return connect(CriNode.of(sandbox));
  }

  /** Connects to the node's CRI and imports the pause image there. */
  public static CriClient connect(CriNode node) {
    node.importPause(K8S_NAMESPACE);
    return new CriClient(node);
  }

  private RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime() {
    return RuntimeServiceGrpc.newBlockingStub(channel.channel())
        .withDeadlineAfter(node.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  // ---------------------------------------------------------------- pods

  /**
   * The cgroup parent kubelet's cgroupfs driver gives a BestEffort pod (under this client's cgroup
   * root).
   */
  public String podCgroupParent(String uid) {
    return qosParent + "/pod" + uid;
  }

  /**
   * RunPodSandbox the way kubelet asks for a {@code hostNetwork: true} pod: metadata, the pod
   * labels kubelet adds, a log directory, the pod's cgroup parent, host network and own PID
   * namespace. Returns the sandbox id.
   */
  public String runPod(String k8sNamespace, String podName, String uid) {
    Path logDirectory =
        node.scratchDir().resolve("pod-logs").resolve(k8sNamespace + "_" + podName + "_" + uid);
    node.createDirectories(logDirectory); // kubelet creates it before RunPodSandbox
    String cgroupParent = podCgroupParent(uid);
    PodSandboxConfig config =
        PodSandboxConfig.newBuilder()
            .setMetadata(
                PodSandboxMetadata.newBuilder()
                    .setName(podName)
                    .setUid(uid)
                    .setNamespace(k8sNamespace)
                    .setAttempt(0))
            // No hostname: kubelet sets none for a hostNetwork pod, and runc refuses one without a
            // private UTS namespace.
            .setLogDirectory(logDirectory.toString())
            .putLabels("io.kubernetes.pod.name", podName)
            .putLabels("io.kubernetes.pod.namespace", k8sNamespace)
            .putLabels("io.kubernetes.pod.uid", uid)
            .putLabels("app", podName.replaceFirst("-\\d+$", ""))
            .putAnnotations("kubernetes.io/config.source", "api")
            .putAnnotations("kubernetes.io/config.seen", "2026-01-01T00:00:00.000000000Z")
            .setLinux(
                LinuxPodSandboxConfig.newBuilder()
                    .setCgroupParent(cgroupParent)
                    .setSecurityContext(
                        LinuxSandboxSecurityContext.newBuilder()
                            .setNamespaceOptions(
                                NamespaceOption.newBuilder()
                                    .setNetwork(NamespaceMode.NODE)
                                    // kubelet asks for CONTAINER explicitly: that is the v1.PodSpec
                                    // default
                                    .setPid(NamespaceMode.CONTAINER)
                                    .setIpc(NamespaceMode.POD))))
            .build();
    if (node.cgroupParentsOutliveIt()) {
      cgroupParents.claim(cgroupParent);
    }
    String id =
        runtime()
            .runPodSandbox(RunPodSandboxRequest.newBuilder().setConfig(config).build())
            .getPodSandboxId();
    pods.put(id, config);
    return id;
  }

  /** The config a pod was run with; CreateContainer wants it again. */
  public PodSandboxConfig podConfig(String podId) {
    PodSandboxConfig config = pods.get(podId);
    if (config == null) {
      throw new IllegalArgumentException("no pod " + podId + " run by this client");
    }
    return config;
  }

  /**
   * StopPodSandbox: containerd kills every container of the pod, then the sandbox, and waits for
   * their exits.
   */
  public void stopPod(String podId) {
    runtime().stopPodSandbox(StopPodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
  }

  /** Removes the pod and every container in it; stop it first. */
  public void removePod(String podId) {
    runtime().removePodSandbox(RemovePodSandboxRequest.newBuilder().setPodSandboxId(podId).build());
    pods.remove(podId);
  }

  // ---------------------------------------------------------------- containers

  /**
   * {@link #createContainer(String, PodSandboxConfig, String, int, String, String...)} with the
   * pod's own config.
   */
  public String createContainer(
      String podId, String name, int attempt, String image, String... command) {
    return createContainer(podId, podConfig(podId), name, attempt, image, command);
  }

  /**
   * CreateContainer with what kubelet sends: metadata (name, attempt), the image ref, the four
   * io.kubernetes labels, kubelet's bookkeeping annotations (restartCount = attempt) and {@code
   * <name>/<attempt>.log} as log path. Returns the new container's id.
   */
  public String createContainer(
      String podId,
      PodSandboxConfig pod,
      String name,
      int attempt,
      String image,
      String... command) {
    // BestEffort: kubelet still sends the minimum CPU shares.
    return createContainer(
        podId,
        pod,
        name,
        attempt,
        image,
        LinuxContainerResources.newBuilder().setCpuShares(2),
        command);
  }

  /**
   * CreateContainer as for a container with {@code resources.limits.memory}: kubelet passes the
   * limit as {@code memory_limit_in_bytes} (and the pod is Burstable; the cgroup parent stays this
   * client's, which is all containerd cares about).
   */
  public String createContainerWithMemoryLimit(
      String podId,
      String name,
      int attempt,
      String image,
      long memoryLimitBytes,
      String... command) {
    return createContainer(
        podId,
        podConfig(podId),
        name,
        attempt,
        image,
        LinuxContainerResources.newBuilder()
            .setCpuShares(2)
            .setMemoryLimitInBytes(memoryLimitBytes),
        command);
  }

  private String createContainer(
      String podId,
      PodSandboxConfig pod,
      String name,
      int attempt,
      String image,
      LinuxContainerResources.Builder resources,
      String... command) {
    PodSandboxMetadata meta = pod.getMetadata();
    // kubelet creates the container's log dir too
    node.createDirectories(Path.of(pod.getLogDirectory()).resolve(name));
    ContainerConfig config =
        ContainerConfig.newBuilder()
            .setMetadata(ContainerMetadata.newBuilder().setName(name).setAttempt(attempt))
            .setImage(ImageSpec.newBuilder().setImage(image))
            .addAllCommand(List.of(command))
            .putLabels("io.kubernetes.pod.name", meta.getName())
            .putLabels("io.kubernetes.pod.namespace", meta.getNamespace())
            .putLabels("io.kubernetes.pod.uid", meta.getUid())
            .putLabels("io.kubernetes.container.name", name)
            .putAnnotations("io.kubernetes.container.hash", Integer.toHexString(name.hashCode()))
            .putAnnotations("io.kubernetes.container.restartCount", Integer.toString(attempt))
            .putAnnotations(
                "io.kubernetes.container.terminationMessagePath", "/dev/termination-log")
            .putAnnotations("io.kubernetes.container.terminationMessagePolicy", "File")
            .putAnnotations("io.kubernetes.pod.terminationGracePeriod", "30")
            .setLogPath(name + "/" + attempt + ".log")
            .setLinux(LinuxContainerConfig.newBuilder().setResources(resources))
            .build();
    return runtime()
        .createContainer(
            CreateContainerRequest.newBuilder()
                .setPodSandboxId(podId)
                .setConfig(config)
                .setSandboxConfig(pod)
                .build())
        .getContainerId();
  }

  public void startContainer(String containerId) {
    runtime()
        .startContainer(StartContainerRequest.newBuilder().setContainerId(containerId).build());
  }

  /**
   * StopContainer: the image's stop signal (SIGTERM), SIGKILL after {@code timeoutSeconds}; 0 kills
   * at once. Returns once the container has exited.
   */
  public void stopContainer(String containerId, long timeoutSeconds) {
    runtime()
        .stopContainer(
            StopContainerRequest.newBuilder()
                .setContainerId(containerId)
                .setTimeout(timeoutSeconds)
                .build());
  }

  public void removeContainer(String containerId) {
    runtime()
        .removeContainer(RemoveContainerRequest.newBuilder().setContainerId(containerId).build());
  }

  /** The container's CRI state, CONTAINER_UNKNOWN if CRI does not know it. */
  public ContainerState containerState(String containerId) {
    return containerState(runtime(), containerId);
  }

  /** The container's state as ListContainers reports it, through any runtime stub. */
  public static ContainerState containerState(
      RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime, String containerId) {
    return runtime
        .listContainers(
            ListContainersRequest.newBuilder()
                .setFilter(ContainerFilter.newBuilder().setId(containerId))
                .build())
        .getContainersList()
        .stream()
        .filter(c -> c.getId().equals(containerId))
        .map(c -> c.getState())
        .findFirst()
        .orElse(ContainerState.CONTAINER_UNKNOWN);
  }

  // ---------------------------------------------------------------- teardown

  /**
   * Stops and removes the pods still around (what kubelet does when a pod is deleted), then
   * disconnects.
   */
  @Override
  public void close() {
    List<String> problems = new ArrayList<>();
    for (String podId : List.copyOf(pods.keySet())) {
      try {
        stopPod(podId);
        removePod(podId);
      } catch (RuntimeException e) {
        problems.add("pod " + podId + ": " + e.getMessage());
      }
    }
    channel.close();
    problems.addAll(cgroupParents.removeCreated());
    for (String problem : problems) {
      // Never throw from teardown: it would hide the test's own failure. The sandbox's teardown
      // still runs.
      System.err.println("[cri] cleanup: " + problem);
    }
  }
}
