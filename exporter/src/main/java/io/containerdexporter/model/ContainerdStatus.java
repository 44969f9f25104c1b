package io.containerdexporter.model;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether containerd answered our last call, and what it said it is. Published whole by the
 * connection monitor and read by the exposition and /-/ready without locks.
 *
 * @param up the last call to containerd succeeded
 * @param version the version containerd reported last; kept while it is down, so dashboards still
 *     show what runs
 * @param since when {@code up} last changed
 */
public record ContainerdStatus(boolean up, Optional<ContainerdVersion> version, Instant since) {

  public static ContainerdStatus initial(Instant now) {
    return new ContainerdStatus(false, Optional.empty(), now);
  }

  /**
   * containerd answered at least once since the exporter started: this is what /-/ready waits for.
   */
  public boolean everAnswered() {
    return version.isPresent();
  }
}
