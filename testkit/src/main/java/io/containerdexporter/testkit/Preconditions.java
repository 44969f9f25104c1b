package io.containerdexporter.testkit;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checks, before anything is created, that this machine can host a sandbox at all. */
final class Preconditions {
  static final String INSTALL_HINT =
      "apt-get install -y --no-install-recommends containerd runc busybox-static";
  static final List<Path> BUSYBOX_CANDIDATES =
      List.of(Path.of("/bin/busybox"), Path.of("/usr/bin/busybox"));

  private Preconditions() {}

  /**
   * Returns the static busybox to build images from, or throws with one sentence saying what to
   * fix.
   */
  static Path check(SandboxOptions options) {
    if (!runningAsRoot()) {
      throw new SandboxUnavailableException(
          "ContainerdSandbox must run as root (containerd, runc and cgroups "
              + "need it) but this JVM runs as uid "
              + currentUid()
              + ": run the tests as root.");
    }
    List<String> missing = new ArrayList<>();
    requireExecutable(options.containerdBinary(), missing);
    requireExecutable(options.ctrBinary(), missing);
    for (String command : List.of("runc", "containerd-shim-runc-v2", "tar")) {
      if (onPath(command).isEmpty()) {
        missing.add(command + " (not on PATH)");
      }
    }
    Optional<Path> busybox = BUSYBOX_CANDIDATES.stream().filter(Files::isExecutable).findFirst();
    if (busybox.isEmpty()) {
      missing.add("busybox (" + BUSYBOX_CANDIDATES.get(0) + ")");
    }
    if (!missing.isEmpty()) {
      throw new SandboxUnavailableException(
          "ContainerdSandbox cannot start because "
              + String.join(", ", missing)
              + " is missing: run `"
              + INSTALL_HINT
              + "`.");
    }
    if (isDynamicallyLinked(busybox.get())) {
      throw new SandboxUnavailableException(
          "ContainerdSandbox needs a statically linked busybox to build its "
              + "test image but "
              + busybox.get()
              + " is dynamically linked: run `"
              + INSTALL_HINT
              + "`.");
    }
    return busybox.get();
  }

  private static void requireExecutable(Path binary, List<String> missing) {
    boolean found =
        binary.isAbsolute() ? Files.isExecutable(binary) : onPath(binary.toString()).isPresent();
    if (!found) {
      missing.add(binary.toString());
    }
  }

  static Optional<Path> onPath(String command) {
    String path =
        System.getenv()
            .getOrDefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for (String dir : path.split(":")) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, command);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  static boolean runningAsRoot() {
    return currentUid().equals("0");
  }

  private static String currentUid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.substring(4).strip().split("\\s+")[1]; // effective uid
        }
      }
    } catch (IOException e) {
      return "unknown (" + e.getMessage() + ")";
    }
    return "unknown";
  }

  /**
   * A dynamically linked ELF has a PT_INTERP program header; inside the one-binary image it would
   * not start.
   */
  static boolean isDynamicallyLinked(Path elf) {
    try (FileChannel channel = FileChannel.open(elf)) {
      ByteBuffer header = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
      channel.read(header, 0);
      if (header.getInt(0) != 0x464c457f || header.get(4) != 2) {
        return false; // not a 64-bit ELF: let the image build report whatever goes wrong
      }
      long programHeaders = header.getLong(0x20);
      int entrySize = Short.toUnsignedInt(header.getShort(0x36));
      int count = Short.toUnsignedInt(header.getShort(0x38));
      ByteBuffer entry = ByteBuffer.allocate(entrySize).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < count; i++) {
        entry.clear();
        channel.read(entry, programHeaders + (long) i * entrySize);
        if (entry.getInt(0) == 3) { // PT_INTERP
          return true;
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }
}
