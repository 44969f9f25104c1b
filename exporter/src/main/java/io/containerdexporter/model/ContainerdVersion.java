package io.containerdexporter.model;

/** What containerd's Version service answers. */
public record ContainerdVersion(String version, String revision) {}
