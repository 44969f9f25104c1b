package io.containerdexporter.model;

/** A committed blob in a namespace's content store. */
public record ContentBlob(String digest, long size) {}
