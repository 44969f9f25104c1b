package io.containerdexporter.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How to start a {@link ContainerdSandbox}. The defaults run the host's containerd 1.6; other
 * versions (unpacked from other Debian suites) come from {@link
 * ContainerdRelease#hostSandboxOptions()}.
 *
 * @param containerdBinary the daemon executable
 * @param ctrBinary the client used for everything the sandbox does; should match the daemon's
 *     version
 * @param configVersion 2 for containerd 1.6/1.7, 3 for 2.x
 * @param extraConfigToml appended verbatim to the generated config.toml (must not repeat a
 *     generated table)
 * @param tempParent where the private /tmp/ctrd-sbx-XXXX directory is created
 * @param startTimeout bound on socket + {@code ctr version} readiness
 * @param ctrTimeout bound on each ctr call
 * @param pathPrefix directories put before PATH for the daemon, so it finds its release's own shim
 *     first
 */
public record SandboxOptions(
    Path containerdBinary,
    Path ctrBinary,
    int configVersion,
    String extraConfigToml,
    Path tempParent,
    Duration startTimeout,
    Duration ctrTimeout,
    List<Path> pathPrefix) {

  public static final SandboxOptions DEFAULTS = builder().build();

  public SandboxOptions {
    Objects.requireNonNull(containerdBinary);
    Objects.requireNonNull(ctrBinary);
    Objects.requireNonNull(extraConfigToml);
    Objects.requireNonNull(tempParent);
    Objects.requireNonNull(startTimeout);
    Objects.requireNonNull(ctrTimeout);
    pathPrefix = List.copyOf(pathPrefix);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private Path containerdBinary = Path.of("/usr/bin/containerd");
    private Path ctrBinary = Path.of("/usr/bin/ctr");
    private int configVersion = 2;
    private String extraConfigToml = "";
    private Path tempParent = Path.of("/tmp");
    private Duration startTimeout = Duration.ofSeconds(15);
    private Duration ctrTimeout = Duration.ofSeconds(30);
    private List<Path> pathPrefix = List.of();

    private Builder() {}

    public Builder containerdBinary(Path path) {
      this.containerdBinary = path;
      return this;
    }

    public Builder ctrBinary(Path path) {
      this.ctrBinary = path;
      return this;
    }

    public Builder configVersion(int version) {
      this.configVersion = version;
      return this;
    }

    public Builder extraConfigToml(String toml) {
      this.extraConfigToml = toml;
      return this;
    }

    public Builder tempParent(Path dir) {
      this.tempParent = dir;
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = timeout;
      return this;
    }

    public Builder ctrTimeout(Duration timeout) {
      this.ctrTimeout = timeout;
      return this;
    }

    public Builder pathPrefix(List<Path> dirs) {
      this.pathPrefix = dirs;
      return this;
    }

    public SandboxOptions build() {
      return new SandboxOptions(
          containerdBinary,
          ctrBinary,
          configVersion,
          extraConfigToml,
          tempParent,
          startTimeout,
          ctrTimeout,
          pathPrefix);
    }
  }
}
