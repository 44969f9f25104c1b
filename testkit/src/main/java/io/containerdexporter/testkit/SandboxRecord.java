package io.containerdexporter.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Written into the temp dir at start so that a later sandbox can clean up after a JVM that was
 * SIGKILLed (no shutdown hook runs then): who owned it, how to run its daemon again, and the host
 * baseline.
 */
record SandboxRecord(
    long ownerPid, String containerdBinary, String ctrBinary, HostBaseline baseline) {
  private static final ObjectMapper JSON = new ObjectMapper();

  void write(Path file) throws IOException {
    Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(this));
  }

  static SandboxRecord read(Path file) throws IOException {
    return JSON.readValue(file.toFile(), SandboxRecord.class);
  }

  boolean ownerAlive() {
    return ProcessHandle.of(ownerPid).map(ProcessHandle::isAlive).orElse(false);
  }
}
