package io.containerdexporter.bench;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * An OCI runtime spec as containerd's CRI writes one for a pod's container: process, mounts,
 * capabilities, masked paths, resources, namespaces, cgroupsPath, annotations. Its size (~5 KB) is
 * a real one's; what the exporter reads of it is cgroupsPath, resources, namespaces and
 * annotations.
 */
final class OciSpecJson {

  private static final List<String> CAPABILITIES =
      List.of(
          "CAP_CHOWN",
          "CAP_DAC_OVERRIDE",
          "CAP_FSETID",
          "CAP_FOWNER",
          "CAP_MKNOD",
          "CAP_NET_RAW",
          "CAP_SETGID",
          "CAP_SETUID",
          "CAP_SETFCAP",
          "CAP_SETPCAP",
          "CAP_NET_BIND_SERVICE",
          "CAP_SYS_CHROOT",
          "CAP_KILL",
          "CAP_AUDIT_WRITE");

  private static final List<String> MASKED =
      List.of(
          "/proc/asound",
          "/proc/acpi",
          "/proc/kcore",
          "/proc/keys",
          "/proc/latency_stats",
          "/proc/timer_list",
          "/proc/timer_stats",
          "/proc/sched_debug",
          "/proc/scsi",
          "/sys/firmware",
          "/sys/devices/virtual/powercap");

  private OciSpecJson() {}

  /**
   * @param cpuQuota 0: none
   * @param memoryLimit 0: none
   * @param joinNetwork the sandbox's netns path for an app container; null for a sandbox (a new
   *     one)
   */
  static String of(
      List<String> args,
      String cgroupsPath,
      Map<String, String> annotations,
      long cpuShares,
      long cpuQuota,
      long memoryLimit,
      String joinNetwork) {
    String caps = quoted(CAPABILITIES);
    StringBuilder s = new StringBuilder(6000);
    s.append("{\"ociVersion\":\"1.1.0\",\"process\":{\"user\":{\"uid\":65535,\"gid\":65535,")
        .append("\"additionalGids\":[65535]},\"args\":")
        .append(quoted(args))
        .append(",\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",")
        .append(
            "\"HOSTNAME=node\",\"KUBERNETES_SERVICE_HOST=10.96.0.1\",\"KUBERNETES_SERVICE_PORT=443\",")
        .append("\"KUBERNETES_PORT=tcp://10.96.0.1:443\",\"KUBERNETES_PORT_443_TCP_PROTO=tcp\"],")
        .append("\"cwd\":\"/\",\"capabilities\":{\"bounding\":")
        .append(caps)
        .append(",\"effective\":")
        .append(caps)
        .append(",\"permitted\":")
        .append(caps)
        .append("},\"noNewPrivileges\":true,\"oomScoreAdj\":")
        .append(joinNetwork == null ? -998 : 999)
        .append("},\"root\":{\"path\":\"rootfs\",\"readonly\":")
        .append(joinNetwork == null)
        .append("},\"hostname\":\"node\",\"mounts\":[");
    String[][] mounts = {
      {"/proc", "proc", "proc"},
      {"/dev", "tmpfs", "tmpfs"},
      {"/dev/pts", "devpts", "devpts"},
      {"/dev/mqueue", "mqueue", "mqueue"},
      {"/sys", "sysfs", "sysfs"},
      {"/sys/fs/cgroup", "cgroup", "cgroup"},
      {"/dev/shm", "bind", "/run/containerd/io.containerd.grpc.v1.cri/sandboxes/shm"},
      {"/etc/resolv.conf", "bind", "/var/lib/containerd/io.containerd.grpc.v1.cri/resolv.conf"},
      {"/etc/hostname", "bind", "/var/lib/containerd/io.containerd.grpc.v1.cri/hostname"},
      {"/etc/hosts", "bind", "/var/lib/kubelet/pods/etc-hosts"},
      {"/dev/termination-log", "bind", "/var/lib/kubelet/pods/containers/app/termination-log"},
      {
        "/var/run/secrets/kubernetes.io/serviceaccount",
        "bind",
        "/var/lib/kubelet/pods/volumes/token"
      }
    };
    for (int i = 0; i < mounts.length; i++) {
      s.append(i == 0 ? "" : ",")
          .append("{\"destination\":\"")
          .append(mounts[i][0])
          .append("\",\"type\":\"")
          .append(mounts[i][1])
          .append("\",\"source\":\"")
          .append(mounts[i][2])
          .append(
              "\",\"options\":[\"nosuid\",\"noexec\",\"nodev\",\"rbind\",\"rprivate\",\"ro\"]}");
    }
    s.append("],\"annotations\":{")
        .append(
            annotations.entrySet().stream()
                .map(e -> "\"" + e.getKey() + "\":\"" + e.getValue() + "\"")
                .collect(Collectors.joining(",")))
        .append("},\"linux\":{\"resources\":{\"devices\":[{\"allow\":false,\"access\":\"rwm\"}],")
        .append("\"cpu\":{\"shares\":")
        .append(cpuShares);
    if (cpuQuota > 0) {
      s.append(",\"quota\":").append(cpuQuota).append(",\"period\":100000");
    }
    s.append("}");
    if (memoryLimit > 0) {
      s.append(",\"memory\":{\"limit\":")
          .append(memoryLimit)
          .append(",\"swap\":")
          .append(memoryLimit)
          .append("}");
    }
    s.append("},\"cgroupsPath\":\"")
        .append(cgroupsPath)
        .append("\",\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"ipc\"},{\"type\":\"uts\"},")
        .append("{\"type\":\"mount\"},{\"type\":\"network\"")
        .append(joinNetwork == null ? "" : ",\"path\":\"" + joinNetwork + "\"")
        .append("}],\"maskedPaths\":")
        .append(quoted(MASKED))
        .append(",\"readonlyPaths\":[\"/proc/bus\",\"/proc/fs\",\"/proc/irq\",\"/proc/sys\",")
        .append("\"/proc/sysrq-trigger\"],\"seccomp\":{\"defaultAction\":\"SCMP_ACT_ERRNO\",")
        .append("\"architectures\":[\"SCMP_ARCH_X86_64\",\"SCMP_ARCH_X86\",\"SCMP_ARCH_X32\"]}}}");
    return s.toString();
  }

  private static String quoted(List<String> values) {
    return values.stream().map(v -> "\"" + v + "\"").collect(Collectors.joining(",", "[", "]"));
  }
}
