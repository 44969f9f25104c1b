package io.containerdexporter.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The containerd releases the compatibility matrix runs, and every way the harness must treat them
 * differently: where the Debian binaries are, which config format they read, which shim they must
 * find first on PATH. Nothing else in the testkit branches on a version (the config's plugin names
 * follow {@link #configVersion()}).
 */
public enum ContainerdRelease {
  /** Debian bookworm's, installed on the host; the default of every other test. */
  V1_6("1.6", "bookworm", 2),
  /** Debian trixie's 1.7.24. */
  V1_7("1.7", "trixie", 2),
  /** Debian forky's 2.1.9: config version 3, CRI split into io.containerd.cri.v1.* plugins. */
  V2_1("2.1", "forky", 3);

  /**
   * Where scripts/fetch-containerd unpacks the Debian packages: {@code <cache>/<suite>/usr/bin}.
   */
  public static final Path DEFAULT_CACHE = Path.of("/var/cache/containerd-exporter/containerd");

  private final String version;
  private final String debianSuite;
  private final int configVersion;

  ContainerdRelease(String version, String debianSuite, int configVersion) {
    this.version = version;
    this.debianSuite = debianSuite;
    this.configVersion = configVersion;
  }

  /** "1.6", "1.7", "2.1": what {@code containerd --version} starts with. */
  public String version() {
    return version;
  }

  public String debianSuite() {
    return debianSuite;
  }

  public int configVersion() {
    return configVersion;
  }

  /**
   * The directory holding containerd, ctr and containerd-shim-runc-v2 of this release on the host.
   */
  public Path hostBinDir() {
    if (this == V1_6) {
      return Path.of("/usr/bin");
    }
    String cache =
        System.getProperty(
            "containerd.versions.cache",
            System.getenv().getOrDefault("CONTAINERD_VERSIONS_CACHE", DEFAULT_CACHE.toString()));
    return Path.of(cache, debianSuite, "usr", "bin");
  }

  /** The same inside the guest image (scripts/guest-image copies each suite's usr/bin there). */
  public String guestBinDir() {
    return "/opt/containerd/" + debianSuite + "/bin";
  }

  /**
   * Options that start this release on the host. containerd looks its shim up on PATH before its
   * own directory, so the release's own shim goes first; a 2.x daemon with 1.6's shim would start
   * tasks that its API misdescribes.
   */
  public SandboxOptions.Builder hostSandboxOptions() {
    Path bin = hostBinDir();
    if (!Files.isExecutable(bin.resolve("containerd"))) {
      throw new SandboxUnavailableException(
          "containerd "
              + version
              + " is not at "
              + bin
              + ": run scripts/fetch-containerd (scripts/test does) to fetch Debian "
              + debianSuite
              + "'s package.");
    }
    return SandboxOptions.builder()
        .containerdBinary(bin.resolve("containerd"))
        .ctrBinary(bin.resolve("ctr"))
        .configVersion(configVersion)
        .pathPrefix(List.of(bin));
  }
}
