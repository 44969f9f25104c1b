package io.containerdexporter.testkit;

/** Renders the daemon's config.toml so that every path it writes to is inside the sandbox. */
final class ContainerdConfig {
  private ContainerdConfig() {}

  static String render(
      SandboxLayout layout, String metricsAddress, int configVersion, String extraToml) {
    return render(layout, metricsAddress, configVersion, extraToml, "");
  }

  /**
   * {@code criTcpAddress} (e.g. "0.0.0.0:10010", or "" for none): containerd's insecure gRPC TCP
   * listener, with CRI served on it too. Only for a daemon whose unix socket the test cannot reach
   * (a guest's), and whose only way in is a forward to 127.0.0.1.
   */
  static String render(
      SandboxLayout layout,
      String metricsAddress,
      int configVersion,
      String extraToml,
      String criTcpAddress) {
    // containerd 2.x (config version 3) moved these CRI keys, unchanged, to a plugin with a new
    // name.
    String cri = configVersion >= 3 ? "io.containerd.cri.v1.runtime" : "io.containerd.grpc.v1.cri";
    // In TOML a key belongs to the table above it: extra top-level keys (e.g. disabled_plugins)
    // must come first.
    String extra = extraToml.strip();
    int firstTable = extra.startsWith("[") ? 0 : extra.indexOf("\n[");
    String extraTopLevel = firstTable < 0 ? extra : extra.substring(0, firstTable).strip();
    String extraTables = firstTable < 0 ? "" : extra.substring(firstTable).strip();
    StringBuilder toml =
        new StringBuilder()
            .append("version = ")
            .append(configVersion)
            .append('\n')
            .append("root = ")
            .append(quote(layout.root()))
            .append('\n')
            .append("state = ")
            .append(quote(layout.state()))
            .append('\n');
    if (!extraTopLevel.isEmpty()) {
      toml.append("# extra top-level configuration from SandboxOptions\n")
          .append(extraTopLevel)
          .append('\n');
    }
    toml.append('\n')
        .append("[grpc]\n")
        .append("  address = ")
        .append(quote(layout.grpcSocket()))
        .append('\n');
    if (!criTcpAddress.isEmpty()) {
      toml.append("  tcp_address = ").append(quote(criTcpAddress)).append('\n');
    }
    toml.append('\n')
        .append("[ttrpc]\n")
        .append("  address = ")
        .append(quote(layout.ttrpcSocket()))
        .append('\n')
        .append('\n')
        .append("[debug]\n")
        .append("  address = ")
        .append(quote(layout.debugSocket()))
        .append('\n')
        .append("  level = \"info\"\n")
        .append('\n')
        .append("[metrics]\n")
        .append("  address = ")
        .append(quote(metricsAddress))
        .append('\n')
        .append('\n')
        .append("[plugins.\"")
        .append(cri)
        .append("\"]\n")
        // This VM cannot lower oom_score_adj; without this RunPodSandbox fails with EACCES.
        .append("  restrict_oom_score_adj = true\n")
        // Pod network namespaces would otherwise be bind-mounted under /var/run/netns, outside the
        // sandbox.
        .append("  netns_mounts_under_state_dir = true\n");
    if (!criTcpAddress.isEmpty() && configVersion < 3) {
      toml.append("  disable_tcp_service = false\n");
    }
    if (configVersion < 3) {
      // Pinned for every release (1.7 would ask for pause:3.8, 2.1 for 3.10): the sandbox imports
      // this one.
      toml.append("  sandbox_image = ").append(quote(ContainerdSandbox.PAUSE_IMAGE)).append('\n');
    }
    toml.append('\n')
        .append("[plugins.\"")
        .append(cri)
        .append("\".cni]\n")
        // 2.1 deprecates bin_dir (removed in 2.3) for the list bin_dirs.
        .append(
            configVersion >= 3
                ? "  bin_dirs = [\"/usr/lib/cni\"]\n"
                : "  bin_dir = \"/usr/lib/cni\"\n")
        .append("  conf_dir = ")
        .append(quote(layout.cniConfDir()))
        .append('\n')
        .append('\n')
        // Declaring runtimes.runc replaces containerd's default entry whole: name its type, or
        // CRI's
        // RunPodSandbox fails with "container.Runtime.Name must be set".
        .append("[plugins.\"")
        .append(cri)
        .append("\".containerd.runtimes.runc]\n")
        .append("  runtime_type = \"io.containerd.runc.v2\"\n")
        .append('\n')
        .append("[plugins.\"")
        .append(cri)
        .append("\".containerd.runtimes.runc.options]\n")
        .append("  Root = ")
        .append(quote(layout.runcRoot()))
        .append('\n');
    if (configVersion >= 3) {
      toml.append('\n')
          .append("[plugins.\"io.containerd.cri.v1.images\".pinned_images]\n")
          .append("  sandbox = ")
          .append(quote(ContainerdSandbox.PAUSE_IMAGE))
          .append('\n');
    }
    if (!criTcpAddress.isEmpty() && configVersion >= 3) {
      // 2.x kept the server options (this one among them) in the CRI gRPC plugin.
      toml.append('\n')
          .append("[plugins.\"io.containerd.grpc.v1.cri\"]\n")
          .append("  disable_tcp_service = false\n");
    }
    if (!extraTables.isEmpty()) {
      toml.append('\n')
          .append("# extra configuration from SandboxOptions\n")
          .append(extraTables)
          .append('\n');
    }
    return toml.toString();
  }

  static String quote(Object value) {
    String text = value.toString();
    StringBuilder quoted = new StringBuilder("\"");
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> quoted.append("\\\"");
        case '\\' -> quoted.append("\\\\");
        default -> quoted.append(c);
      }
    }
    return quoted.append('"').toString();
  }
}
