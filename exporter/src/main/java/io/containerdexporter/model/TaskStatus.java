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

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
