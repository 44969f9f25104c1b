package io.containerdexporter.model;

/**
 * Whether a container's OCI spec gives it a network namespace of its own (created, or joined by
 * path as CRI does for a pod's containers) or none, which means the host's (hostNetwork pods,
 * {@code ctr run --net-host}).
 */
public enum NetworkNamespace {
  /** The spec lists a network namespace. */
  PRIVATE,
  /** The spec lists namespaces but no network namespace: the container uses the host's network. */
  HOST,
  /** No spec, or one without a namespace list: nothing to tell from it. */
  UNKNOWN
}
