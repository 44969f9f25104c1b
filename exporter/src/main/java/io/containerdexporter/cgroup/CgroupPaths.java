package io.containerdexporter.cgroup;

/**
 * Turns an OCI spec's {@code linux.cgroupsPath} into the cgroup path below the hierarchy root, the
 * way runc does and the way cAdvisor shows it in its {@code id} label.
 */
public final class CgroupPaths {

  private CgroupPaths() {}

  /**
   * {@code /default/c1} (cgroupfs driver) stays as it is; {@code
   * kubepods-burstable-pod1.slice:cri-containerd:abc} (systemd driver: slice, prefix, name) becomes
   * {@code
   * /kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/cri-containerd-abc.scope}.
   * Returns "" for an empty or unusable path.
   */
  public static String fromSpec(String cgroupsPath) {
    if (cgroupsPath == null || cgroupsPath.isEmpty()) {
      return "";
    }
    String[] parts = cgroupsPath.split(":", -1);
    if (parts.length == 3 && !cgroupsPath.startsWith("/")) {
      String slice = expandSlice(parts[0].isEmpty() ? "system.slice" : parts[0]);
      if (slice == null) {
        return "";
      }
      String unit = parts[1].isEmpty() ? parts[2] : parts[1] + "-" + parts[2];
      if (!unit.endsWith(".scope") && !unit.endsWith(".slice")) {
        unit = unit + ".scope";
      }
      return (slice.equals("/") ? "" : slice) + "/" + unit;
    }
    return cgroupsPath.startsWith("/") ? cgroupsPath : "/" + cgroupsPath;
  }

  /**
   * systemd's slice naming: {@code a-b-c.slice} lives in {@code /a.slice/a-b.slice/a-b-c.slice}.
   */
  static String expandSlice(String slice) {
    if (!slice.endsWith(".slice") || slice.contains("/")) {
      return null;
    }
    if (slice.equals("-.slice")) {
      return "/";
    }
    String name = slice.substring(0, slice.length() - ".slice".length());
    if (name.isEmpty() || name.startsWith("-") || name.endsWith("-") || name.contains("--")) {
      return null;
    }
    StringBuilder path = new StringBuilder();
    StringBuilder prefix = new StringBuilder();
    for (String component : name.split("-")) {
      prefix.append(prefix.length() == 0 ? "" : "-").append(component);
      path.append('/').append(prefix).append(".slice");
    }
    return path.toString();
  }
}
