package io.containerdexporter.testkit;

/** A container (or CRI sandbox) id within a containerd namespace. */
record ContainerRef(String namespace, String id) {}
