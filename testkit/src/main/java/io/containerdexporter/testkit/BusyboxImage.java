package io.containerdexporter.testkit;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The sandbox's busybox OCI archive, built without a sandbox: for a guest VM to import through its
 * shared folder.
 */
public final class BusyboxImage {
  private BusyboxImage() {}

  /**
   * Writes {@code workDir/image.tar}, an image named {@code ref} whose Cmd is {@code cmd}, from the
   * host's busybox.
   */
  public static Path archive(Path workDir, String ref, List<String> cmd) {
    Path busybox =
        Preconditions.BUSYBOX_CANDIDATES.stream()
            .filter(java.nio.file.Files::isExecutable)
            .findFirst()
            .orElseThrow(
                () ->
                    new SandboxUnavailableException(
                        "no static busybox: run `" + Preconditions.INSTALL_HINT + "`"));
    try {
      java.nio.file.Files.createDirectories(workDir);
      return new OciImageBuilder(busybox).build(workDir, ref, cmd);
    } catch (IOException e) {
      throw new SandboxException("cannot build image " + ref + " in " + workDir, e);
    }
  }
}
