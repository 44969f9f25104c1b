package io.containerdexporter.model;

/**
 * One thing that just happened, for the node page's recent lists: an OOM kill, a non-zero exit, a
 * failed pull. Empty strings where the source does not say (a failed CRI pull names no pod).
 *
 * @param at when it happened, ISO-8601; for a recovered one, when the exporter found it
 * @param subject the container's name, or the image reference of a pull
 * @param recovered no event told of it: the exporter found it later (an OOM kill in the cgroup's
 *     {@code oom_kill}, an exit in containerd's task list), so {@code at} is when it was found
 */
public record RecentEvent(
    String at,
    String containerdNamespace,
    String namespace,
    String pod,
    String subject,
    String id,
    String reason,
    boolean recovered) {

  /** The same event with another reason. */
  public RecentEvent withReason(String newReason) {
    return new RecentEvent(
        at, containerdNamespace, namespace, pod, subject, id, newReason, recovered);
  }

  /** The same event, marked as found later rather than told of. */
  public RecentEvent asRecovered() {
    return new RecentEvent(at, containerdNamespace, namespace, pod, subject, id, reason, true);
  }
}
