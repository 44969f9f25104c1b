package io.containerdexporter.model;

/** An OCI content descriptor: what a blob is, and its size as the referrer declares it. */
public record Descriptor(String mediaType, String digest, long size) {}
