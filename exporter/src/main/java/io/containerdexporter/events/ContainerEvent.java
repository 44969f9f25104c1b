package io.containerdexporter.events;

import java.time.Instant;
import java.util.Map;

/** The events the exporter acts on, decoded from containerd's payloads. */
public sealed interface ContainerEvent {

  /** The kernel OOM-killed a process in the container's cgroup (PID 1 or any child). */
  record TaskOom(String containerId) implements ContainerEvent {}

  /** A process of the task exited; {@code execId} equals the container id for the init process. */
  record TaskExit(String containerId, String execId, int exitStatus, Instant exitedAt)
      implements ContainerEvent {
    public boolean isInit() {
      return execId.isEmpty() || execId.equals(containerId);
    }
  }

  /** The task's init process started. */
  record TaskStart(String containerId) implements ContainerEvent {}

  record ContainerCreated(String id, String image, String runtime) implements ContainerEvent {}

  record ContainerUpdated(String id, String image, Map<String, String> labels)
      implements ContainerEvent {}

  record ContainerDeleted(String id) implements ContainerEvent {}

  /** {@code action} is create, update or delete. */
  record ImageChanged(String action, String name, Map<String, String> labels)
      implements ContainerEvent {}

  /** A containerd namespace was created (again): its event counts are kept. */
  record NamespaceCreated(String name) implements ContainerEvent {}

  /** A containerd namespace was deleted: its event counts go after --events.retention. */
  record NamespaceDeleted(String name) implements ContainerEvent {}

  /** A known topic the exporter only counts. */
  record Other() implements ContainerEvent {}
}
