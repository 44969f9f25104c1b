package io.containerdexporter.events;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.Timestamp;
import io.containerdexporter.containerd.TypeUrls;
import io.containerdexporter.containerd.api.events.ContainerCreate;
import io.containerdexporter.containerd.api.events.ContainerDelete;
import io.containerdexporter.containerd.api.events.ContainerUpdate;
import io.containerdexporter.containerd.api.events.ContentCreate;
import io.containerdexporter.containerd.api.events.ContentDelete;
import io.containerdexporter.containerd.api.events.ImageCreate;
import io.containerdexporter.containerd.api.events.ImageDelete;
import io.containerdexporter.containerd.api.events.ImageUpdate;
import io.containerdexporter.containerd.api.events.NamespaceCreate;
import io.containerdexporter.containerd.api.events.NamespaceDelete;
import io.containerdexporter.containerd.api.events.NamespaceUpdate;
import io.containerdexporter.containerd.api.events.SandboxCreate;
import io.containerdexporter.containerd.api.events.SandboxExit;
import io.containerdexporter.containerd.api.events.SandboxStart;
import io.containerdexporter.containerd.api.events.SnapshotCommit;
import io.containerdexporter.containerd.api.events.SnapshotPrepare;
import io.containerdexporter.containerd.api.events.SnapshotRemove;
import io.containerdexporter.containerd.api.events.TaskCheckpointed;
import io.containerdexporter.containerd.api.events.TaskCreate;
import io.containerdexporter.containerd.api.events.TaskDelete;
import io.containerdexporter.containerd.api.events.TaskExecAdded;
import io.containerdexporter.containerd.api.events.TaskExecStarted;
import io.containerdexporter.containerd.api.events.TaskExit;
import io.containerdexporter.containerd.api.events.TaskOOM;
import io.containerdexporter.containerd.api.events.TaskPaused;
import io.containerdexporter.containerd.api.events.TaskResumed;
import io.containerdexporter.containerd.api.events.TaskStart;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;

/**
 * Decodes an event by its topic and its payload's type URL (containerd's URLs are bare proto
 * names). The same code reads containerd 1.6/1.7's {@code containerd.services.events.v1.Envelope}
 * and 2.x's {@code containerd.types.Envelope}: they are the same on the wire, and only the payload
 * matters here. A payload of the wrong type or one that does not parse is a decode error, never an
 * exception.
 */
public final class EventDecoder {

  /** Why an event could not be decoded; the {@code reason} label of the decode-error counter. */
  public enum Failure {
    UNKNOWN_TOPIC,
    UNKNOWN_TYPE,
    MALFORMED;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** Either an event or why not. */
  public sealed interface Result {}

  public record Decoded(ContainerEvent event) implements Result {}

  public record Failed(Failure failure, String detail) implements Result {}

  private record Topic(
      Descriptor type, Parser<? extends Message> parser, Function<Message, ContainerEvent> map) {}

  private static final Map<String, Topic> TOPICS =
      Map.ofEntries(
          Map.entry(
              "/tasks/oom",
              topic(
                  TaskOOM.getDescriptor(),
                  TaskOOM.parser(),
                  m -> new ContainerEvent.TaskOom(((TaskOOM) m).getContainerId()))),
          Map.entry(
              "/tasks/exit",
              topic(
                  TaskExit.getDescriptor(),
                  TaskExit.parser(),
                  m -> {
                    TaskExit e = (TaskExit) m;
                    return new ContainerEvent.TaskExit(
                        e.getContainerId(), e.getId(), e.getExitStatus(), instant(e.getExitedAt()));
                  })),
          Map.entry(
              "/tasks/start",
              topic(
                  TaskStart.getDescriptor(),
                  TaskStart.parser(),
                  m -> new ContainerEvent.TaskStart(((TaskStart) m).getContainerId()))),
          Map.entry(
              "/containers/create",
              topic(
                  ContainerCreate.getDescriptor(),
                  ContainerCreate.parser(),
                  m -> {
                    ContainerCreate c = (ContainerCreate) m;
                    return new ContainerEvent.ContainerCreated(
                        c.getId(), c.getImage(), c.getRuntime().getName());
                  })),
          Map.entry(
              "/containers/update",
              topic(
                  ContainerUpdate.getDescriptor(),
                  ContainerUpdate.parser(),
                  m -> {
                    ContainerUpdate u = (ContainerUpdate) m;
                    return new ContainerEvent.ContainerUpdated(
                        u.getId(), u.getImage(), u.getLabelsMap());
                  })),
          Map.entry(
              "/containers/delete",
              topic(
                  ContainerDelete.getDescriptor(),
                  ContainerDelete.parser(),
                  m -> new ContainerEvent.ContainerDeleted(((ContainerDelete) m).getId()))),
          Map.entry(
              "/images/create",
              topic(
                  ImageCreate.getDescriptor(),
                  ImageCreate.parser(),
                  m ->
                      new ContainerEvent.ImageChanged(
                          "create",
                          ((ImageCreate) m).getName(),
                          ((ImageCreate) m).getLabelsMap()))),
          Map.entry(
              "/images/update",
              topic(
                  ImageUpdate.getDescriptor(),
                  ImageUpdate.parser(),
                  m ->
                      new ContainerEvent.ImageChanged(
                          "update",
                          ((ImageUpdate) m).getName(),
                          ((ImageUpdate) m).getLabelsMap()))),
          Map.entry(
              "/images/delete",
              topic(
                  ImageDelete.getDescriptor(),
                  ImageDelete.parser(),
                  m ->
                      new ContainerEvent.ImageChanged(
                          "delete", ((ImageDelete) m).getName(), Map.of()))),
          counted("/tasks/create", TaskCreate.getDescriptor(), TaskCreate.parser()),
          counted("/tasks/delete", TaskDelete.getDescriptor(), TaskDelete.parser()),
          counted("/tasks/exec-added", TaskExecAdded.getDescriptor(), TaskExecAdded.parser()),
          counted("/tasks/exec-started", TaskExecStarted.getDescriptor(), TaskExecStarted.parser()),
          counted("/tasks/paused", TaskPaused.getDescriptor(), TaskPaused.parser()),
          counted("/tasks/resumed", TaskResumed.getDescriptor(), TaskResumed.parser()),
          counted(
              "/tasks/checkpointed", TaskCheckpointed.getDescriptor(), TaskCheckpointed.parser()),
          counted("/content/create", ContentCreate.getDescriptor(), ContentCreate.parser()),
          counted("/content/delete", ContentDelete.getDescriptor(), ContentDelete.parser()),
          counted("/snapshot/prepare", SnapshotPrepare.getDescriptor(), SnapshotPrepare.parser()),
          counted("/snapshot/commit", SnapshotCommit.getDescriptor(), SnapshotCommit.parser()),
          counted("/snapshot/remove", SnapshotRemove.getDescriptor(), SnapshotRemove.parser()),
          Map.entry(
              "/namespaces/create",
              topic(
                  NamespaceCreate.getDescriptor(),
                  NamespaceCreate.parser(),
                  m -> new ContainerEvent.NamespaceCreated(((NamespaceCreate) m).getName()))),
          counted("/namespaces/update", NamespaceUpdate.getDescriptor(), NamespaceUpdate.parser()),
          Map.entry(
              "/namespaces/delete",
              topic(
                  NamespaceDelete.getDescriptor(),
                  NamespaceDelete.parser(),
                  m -> new ContainerEvent.NamespaceDeleted(((NamespaceDelete) m).getName()))),
          counted("/sandboxes/create", SandboxCreate.getDescriptor(), SandboxCreate.parser()),
          counted("/sandboxes/start", SandboxStart.getDescriptor(), SandboxStart.parser()),
          counted("/sandboxes/exit", SandboxExit.getDescriptor(), SandboxExit.parser()));

  private EventDecoder() {}

  /**
   * Topics containerd publishes that we know; others are counted under a bounded label (see
   * EventState).
   */
  public static boolean isKnownTopic(String topic) {
    return TOPICS.containsKey(topic);
  }

  public static Result decode(String topic, Any payload) {
    Topic t = TOPICS.get(topic);
    if (t == null) {
      return new Failed(Failure.UNKNOWN_TOPIC, topic);
    }
    String typeName = TypeUrls.typeName(payload);
    if (!typeName.equals(t.type().getFullName())) {
      return new Failed(Failure.UNKNOWN_TYPE, topic + " carried " + typeName);
    }
    try {
      return new Decoded(t.map().apply(t.parser().parseFrom(payload.getValue())));
    } catch (InvalidProtocolBufferException e) {
      return new Failed(Failure.MALFORMED, topic + ": " + e.getMessage());
    }
  }

  private static Topic topic(
      Descriptor type, Parser<? extends Message> parser, Function<Message, ContainerEvent> map) {
    return new Topic(type, parser, map);
  }

  private static Map.Entry<String, Topic> counted(
      String topic, Descriptor type, Parser<? extends Message> parser) {
    return Map.entry(topic, new Topic(type, parser, m -> new ContainerEvent.Other()));
  }

  static Instant instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }
}
