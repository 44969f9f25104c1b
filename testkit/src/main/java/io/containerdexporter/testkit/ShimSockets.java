package io.containerdexporter.testkit;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * containerd 1.6 puts every shim's socket at {@code
 * /run/containerd/s/<sha256(address/namespace/id)>}, whatever the daemon's root and state are.
 * Recomputing the name is how teardown tells our sockets from another daemon's.
 */
final class ShimSockets {
  private ShimSockets() {}

  /**
   * Mirrors Go's {@code sha256.Sum256([]byte(filepath.Join(address, ns, id)))} from
   * runtime/v2/shim.
   */
  static String socketName(Path daemonAddress, String namespace, String id) {
    String joined = daemonAddress.resolve(namespace).resolve(id).normalize().toString();
    return OciImageBuilder.sha256Hex(joined.getBytes(StandardCharsets.UTF_8));
  }
}
