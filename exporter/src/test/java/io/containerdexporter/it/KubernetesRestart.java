package io.containerdexporter.it;

import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.v1.ContainerState;
import io.containerdexporter.testkit.ContainerdSandbox;
import java.time.Duration;

/**
 * A Kubernetes container restarted the way kubelet does it (new container, same pod and name, next
 * attempt).
 */
final class KubernetesRestart {

  private KubernetesRestart() {}

  /** Returns the CRI client holding the pod; closing it removes the pod. */
  static CriClient restartOnce(ContainerdSandbox containerd) {
    containerd.importBusybox(CriClient.K8S_NAMESPACE, ContainerdSandbox.BUSYBOX_IMAGE);
    CriClient cri = CriClient.connect(containerd);
    String pod = cri.runPod("docs", "restarter-0", "uid-restarter-0");
    String first =
        cri.createContainer(pod, "app", 0, ContainerdSandbox.BUSYBOX_IMAGE, "sh", "-c", "exit 1");
    cri.startContainer(first);
    Await.until(
        Duration.ofSeconds(20),
        "the first container to exit",
        () -> cri.containerState(first),
        s -> s == ContainerState.CONTAINER_EXITED);
    String second =
        cri.createContainer(pod, "app", 1, ContainerdSandbox.BUSYBOX_IMAGE, "sleep", "100000");
    cri.startContainer(second);
    return cri;
  }
}
