package io.containerdexporter.model;

import java.time.Instant;
import java.util.Optional;

/**
 * A task (the init process of a container) as Tasks.List reports it.
 *
 * @param exitedAt present once the task stopped
 */
public record TaskInfo(
    String namespace,
    String containerId,
    long pid,
    TaskStatus status,
    int exitStatus,
    Optional<Instant> exitedAt) {}
