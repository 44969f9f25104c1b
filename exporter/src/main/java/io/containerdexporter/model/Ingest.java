package io.containerdexporter.model;

import java.time.Instant;

/**
 * An in-flight write to the content store (a layer being pulled), from Content.ListStatuses.
 *
 * @param offset bytes written so far
 * @param total expected size, 0 when unknown
 */
public record Ingest(String ref, long offset, long total, Instant startedAt, Instant updatedAt) {}
