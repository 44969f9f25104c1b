package io.containerdexporter.model;

/** One snapshot of one snapshotter. */
public record SnapshotInfo(String snapshotter, String key, String parent, SnapshotKind kind) {}
