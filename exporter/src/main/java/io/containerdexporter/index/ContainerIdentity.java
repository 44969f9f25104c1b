package io.containerdexporter.index;

import io.containerdexporter.cgroup.CgroupPaths;
import io.containerdexporter.model.ContainerInfo;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The labels every per-container family carries: cAdvisor's ({@code id} = cgroup path, {@code name}
 * = container id, {@code image}, and the Kubernetes {@code namespace}, {@code pod}, {@code
 * container}) plus {@code containerd_namespace}. Kubernetes names come from the labels kubelet
 * passes through CRI, else from the annotations containerd's CRI sets on the spec; non-CRI
 * containers (ctr, nerdctl, moby) have them empty. The pod uid is not a label (unbounded over
 * time); it tells a restarted container from a re-created pod of the same name.
 */
public record ContainerIdentity(
    String cgroupPath,
    String name,
    String image,
    String podNamespace,
    String pod,
    String container,
    String containerdNamespace,
    String criKind,
    String podUid,
    Map<String, String> containerLabels) {

  public ContainerIdentity {
    containerLabels = Collections.unmodifiableMap(new LinkedHashMap<>(containerLabels));
  }

  public static final List<String> LABEL_NAMES =
      List.of("id", "name", "image", "namespace", "pod", "container", "containerd_namespace");

  /** cAdvisor's root container, the node itself: {@code id="/"}, every other label empty. */
  public static final ContainerIdentity ROOT =
      new ContainerIdentity("/", "", "", "", "", "", "", "", "", Map.of());

  public static ContainerIdentity of(ContainerInfo c) {
    return of(c, ContainerLabelFilter.NONE);
  }

  /**
   * With the container labels {@code --labels.container-labels} allows, as {@code
   * container_label_*} labels.
   */
  public static ContainerIdentity of(ContainerInfo c, ContainerLabelFilter filter) {
    return new ContainerIdentity(
        CgroupPaths.fromSpec(c.cgroupsPath()),
        c.id(),
        c.image(),
        first(c, "io.kubernetes.pod.namespace", "io.kubernetes.cri.sandbox-namespace"),
        first(c, "io.kubernetes.pod.name", "io.kubernetes.cri.sandbox-name"),
        first(c, "io.kubernetes.container.name", "io.kubernetes.cri.container-name"),
        c.namespace(),
        c.labels().getOrDefault("io.cri-containerd.kind", ""),
        first(c, "io.kubernetes.pod.uid", "io.kubernetes.cri.sandbox-uid"),
        filter.select(c.labels()));
  }

  /** A CRI (Kubernetes) container, not a sandbox (pause) container. */
  public boolean isKubernetesContainer() {
    return criKind.equals("container") && !pod.isEmpty() && !container.isEmpty();
  }

  /**
   * Values in the order of {@link #LABEL_NAMES}, followed by the allowed container labels as
   * name/value pairs (see {@link io.containerdexporter.metrics.FamilyBuilder#add}).
   */
  public String[] labelValues() {
    return withContainerLabels(
        cgroupPath, name, image, podNamespace, pod, container, containerdNamespace);
  }

  /**
   * {@link #labelValues()} with one more value, for families with an extra label (device,
   * interface, exit code).
   */
  public String[] labelValuesWith(String extra) {
    return withContainerLabels(
        cgroupPath, name, image, podNamespace, pod, container, containerdNamespace, extra);
  }

  /** The label values, then values of several per-series labels, in the family's order. */
  public String[] labelValuesWith(String... extra) {
    String[] own = {cgroupPath, name, image, podNamespace, pod, container, containerdNamespace};
    String[] all = Arrays.copyOf(own, own.length + extra.length);
    System.arraycopy(extra, 0, all, own.length, extra.length);
    return withContainerLabels(all);
  }

  private String[] withContainerLabels(String... values) {
    if (containerLabels.isEmpty()) {
      return values;
    }
    String[] out = Arrays.copyOf(values, values.length + 2 * containerLabels.size());
    int i = values.length;
    for (Map.Entry<String, String> label : containerLabels.entrySet()) {
      out[i++] = label.getKey();
      out[i++] = label.getValue();
    }
    return out;
  }

  private static String first(ContainerInfo c, String label, String annotation) {
    String fromLabel = c.labels().get(label);
    if (fromLabel != null && !fromLabel.isEmpty()) {
      return fromLabel;
    }
    return c.annotations().getOrDefault(annotation, "");
  }
}
