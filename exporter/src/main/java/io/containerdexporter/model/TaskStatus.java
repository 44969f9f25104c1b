package io.containerdexporter.model;

import java.util.Locale;

/** containerd.v1.types.Status, in the order and spelling our {@code status} label uses. */
public enum TaskStatus {
  CREATED,
  RUNNING,
  STOPPED,
  PAUSED,
  PAUSING,
  UNKNOWN;

  /** Whether a task in this status has a process (neither stopped nor unknown to containerd). */
  public boolean hasProcess() {
    return this != STOPPED && this != UNKNOWN;
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
