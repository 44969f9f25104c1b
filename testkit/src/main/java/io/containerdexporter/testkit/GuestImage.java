package io.containerdexporter.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The cached guest image scripts/guest-image builds: a trixie kernel, its initrd and an ext4 root
 * with runc, busybox, a JRE and containerd 1.6/1.7/2.1. Asking for it runs the script, which
 * answers at once when the cache is warm.
 */
public record GuestImage(Path dir) {
  /** debootstrap and mkfs take 1–3 minutes on a cold cache; more on a busy 2-core machine. */
  private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

  public Path kernel() {
    return dir.resolve("vmlinuz");
  }

  public Path initrd() {
    return dir.resolve("initrd.img");
  }

  public Path rootfs() {
    return dir.resolve("rootfs.img");
  }

  /** Builds the image unless cached; {@code repoRoot} is where scripts/guest-image is. */
  public static GuestImage ensure(Path repoRoot) {
    Path script = repoRoot.resolve("scripts/guest-image");
    if (!Files.isExecutable(script)) {
      throw new SandboxUnavailableException("no " + script + ": cannot build the guest image");
    }
    CtrResult built = Commands.run(List.of(script.toString()), BUILD_TIMEOUT);
    if (!built.ok()) {
      throw new SandboxUnavailableException("scripts/guest-image failed: " + built.describe());
    }
    List<String> lines = built.stdout().lines().filter(l -> !l.isBlank()).toList();
    GuestImage image = new GuestImage(Path.of(lines.get(lines.size() - 1).strip()));
    if (!Files.isRegularFile(image.rootfs())) {
      throw new SandboxUnavailableException(
          "scripts/guest-image printed " + image.dir() + " but it has no rootfs.img");
    }
    return image;
  }
}
