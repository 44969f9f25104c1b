package io.containerdexporter.model;

/** An image record: its name and the descriptor (digest, media type, size) it points at. */
public record ImageInfo(String namespace, String name, Descriptor target) {}
