package io.containerdexporter.model;

/**
 * One thing that just happened, for the node page's recent lists: an OOM kill, a non-zero exit, a
 * failed pull. Empty strings where the source does not say (a failed CRI pull names no pod).
 *
 * @param at when it happened, ISO-8601
 * @param subject the container's name, or the image reference of a pull
 */
public record RecentEvent(
    String at,
    String containerdNamespace,
    String namespace,
    String pod,
    String subject,
    String id,
    String reason) {

  /** The same event with another reason. */
  public RecentEvent withReason(String newReason) {
    return new RecentEvent(at, containerdNamespace, namespace, pod, subject, id, newReason);
  }
}
