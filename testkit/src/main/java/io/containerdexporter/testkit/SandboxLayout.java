package io.containerdexporter.testkit;

import java.nio.file.Path;

/**
 * Where everything of one sandbox lives. All of it is under {@link #tempDir()} so teardown can
 * delete one tree.
 */
record SandboxLayout(Path tempDir) {

  Path configFile() {
    return tempDir.resolve("config.toml");
  }

  Path root() {
    return tempDir.resolve("root");
  }

  Path state() {
    return tempDir.resolve("state");
  }

  Path grpcSocket() {
    return tempDir.resolve("containerd.sock");
  }

  Path ttrpcSocket() {
    return tempDir.resolve("containerd.sock.ttrpc");
  }

  Path debugSocket() {
    return tempDir.resolve("debug.sock");
  }

  Path cniConfDir() {
    return tempDir.resolve("cni-conf");
  }

  /**
   * runc state for tasks started by ctr ({@code --runc-root}) and by CRI (runtime option {@code
   * Root}).
   */
  Path runcRoot() {
    return tempDir.resolve("runc");
  }

  Path fifoDir() {
    return tempDir.resolve("fifo");
  }

  Path imagesDir() {
    return tempDir.resolve("images");
  }

  Path taskLogs() {
    return tempDir.resolve("task-logs");
  }

  Path daemonLog() {
    return tempDir.resolve("containerd.log");
  }

  /** Facts teardown needs even if this JVM dies: see {@link SandboxRecord}. */
  Path recordFile() {
    return tempDir.resolve("sandbox.json");
  }

  /** Task state dirs of the runc v2 shim: {@code <ns>/<id>}, present until the task is deleted. */
  Path shimTaskState() {
    return state().resolve("io.containerd.runtime.v2.task");
  }
}
