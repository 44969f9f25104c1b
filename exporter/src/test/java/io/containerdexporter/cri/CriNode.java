package io.containerdexporter.cri;

import io.containerdexporter.testkit.ContainerdSandbox;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The machine {@link CriClient} plays kubelet on: where containerd's CRI answers, where the pods'
 * directories go, and whether the pod cgroups it makes must be removed again.
 */
public interface CriNode {

  /** containerd's unix socket, or a TCP address that reaches its CRI. */
  SocketAddress criAddress();

  /**
   * A directory on the node that is this client's alone: pod logs go below it, and its name is the
   * pods' cgroup root.
   */
  Path scratchDir();

  /** {@code mkdir -p} on the node (kubelet creates log directories before it asks CRI). */
  void createDirectories(Path dir);

  /** Imports {@link ContainerdSandbox#PAUSE_IMAGE}, which every RunPodSandbox needs. */
  void importPause(String namespace);

  /** Deadline of one CRI call. */
  Duration callTimeout();

  /**
   * Whether the pod cgroup parents runc creates outlive the node's containerd (the host's do; a
   * guest is thrown away whole).
   */
  boolean cgroupParentsOutliveIt();

  /** The host's sandbox: its socket, its temp dir. */
  static CriNode of(ContainerdSandbox sandbox) {
    return new CriNode() {
      @Override
      public SocketAddress criAddress() {
        return new DomainSocketAddress(sandbox.socket().toString());
      }

      @Override
      public Path scratchDir() {
        return sandbox.tempDir();
      }

      @Override
      public void createDirectories(Path dir) {
        try {
          Files.createDirectories(dir);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public void importPause(String namespace) {
        sandbox.importPause(namespace);
      }

      @Override
      public Duration callTimeout() {
        return Duration.ofSeconds(20);
      }

      @Override
      public boolean cgroupParentsOutliveIt() {
        return true;
      }
    };
  }
}
