package io.containerdexporter.collect;

import java.util.Locale;
import java.util.Optional;

/**
 * The platform images are sized for: this host's, in Go's spelling (containerd's
 * platforms.DefaultSpec()).
 */
record HostPlatform(String os, String architecture, String variant) {

  static HostPlatform current() {
    String arch =
        switch (System.getProperty("os.arch", "").toLowerCase(Locale.ROOT)) {
          case "amd64", "x86_64" -> "amd64";
          case "aarch64", "arm64" -> "arm64";
          case "x86", "i386", "i686" -> "386";
          case "ppc64le" -> "ppc64le";
          case "s390x" -> "s390x";
          case "riscv64" -> "riscv64";
          case "arm" -> "arm";
          default -> System.getProperty("os.arch");
        };
    return new HostPlatform("linux", arch, arch.equals("arm64") ? "v8" : "");
  }

  /**
   * How well an index entry fits: 2 exact, 1 same os and architecture with a variant we don't
   * distinguish, 0 no entry platform (taken as fitting, as containerd does), -1 not for this host.
   */
  int fit(Optional<OciManifests.Platform> platform) {
    if (platform.isEmpty()) {
      return 0;
    }
    OciManifests.Platform p = platform.get();
    if (!p.os().equals(os) || !p.architecture().equals(architecture)) {
      return -1;
    }
    return p.variant().equals(variant) || (p.variant().isEmpty() && variant.isEmpty()) ? 2 : 1;
  }
}
