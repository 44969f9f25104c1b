package io.containerdexporter.containerd;

import com.google.protobuf.Timestamp;
import io.containerdexporter.containerd.api.services.images.v1.Image;
import io.containerdexporter.containerd.api.types.task.Process;
import io.containerdexporter.model.Descriptor;
import io.containerdexporter.model.ImageInfo;
import io.containerdexporter.model.SnapshotKind;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import java.time.Instant;
import java.util.Optional;

/**
 * containerd's proto messages as our records: pure functions, no state (containers are {@link
 * ContainerMapper}'s).
 */
final class ProtoMapping {

  private ProtoMapping() {}

  static TaskInfo task(String namespace, Process p) {
    // containerd fills Process.id with the container id for init processes and leaves container_id
    // empty.
    String containerId = p.getContainerId().isEmpty() ? p.getId() : p.getContainerId();
    Optional<Instant> exitedAt =
        p.hasExitedAt() && p.getExitedAt().getSeconds() > 0
            ? Optional.of(instant(p.getExitedAt()))
            : Optional.empty();
    return new TaskInfo(
        namespace, containerId, p.getPid(), taskStatus(p.getStatus()), p.getExitStatus(), exitedAt);
  }

  static ImageInfo image(String namespace, Image i) {
    return new ImageInfo(
        namespace,
        i.getName(),
        new Descriptor(
            i.getTarget().getMediaType(), i.getTarget().getDigest(), i.getTarget().getSize()));
  }

  static TaskStatus taskStatus(io.containerdexporter.containerd.api.types.task.Status status) {
    return switch (status) {
      case CREATED -> TaskStatus.CREATED;
      case RUNNING -> TaskStatus.RUNNING;
      case STOPPED -> TaskStatus.STOPPED;
      case PAUSED -> TaskStatus.PAUSED;
      case PAUSING -> TaskStatus.PAUSING;
      default -> TaskStatus.UNKNOWN;
    };
  }

  static Optional<SnapshotKind> snapshotKind(
      io.containerdexporter.containerd.api.services.snapshots.v1.Kind kind) {
    return switch (kind) {
      case ACTIVE -> Optional.of(SnapshotKind.ACTIVE);
      case COMMITTED -> Optional.of(SnapshotKind.COMMITTED);
      case VIEW -> Optional.of(SnapshotKind.VIEW);
      default -> Optional.empty();
    };
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
