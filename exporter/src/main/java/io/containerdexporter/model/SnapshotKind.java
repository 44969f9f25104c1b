package io.containerdexporter.model;

import java.util.Locale;

/** containerd.services.snapshots.v1.Kind, without UNKNOWN (never stored by a snapshotter). */
public enum SnapshotKind {
  ACTIVE,
  COMMITTED,
  VIEW;

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
