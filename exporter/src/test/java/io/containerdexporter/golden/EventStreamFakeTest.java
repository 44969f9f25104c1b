package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import io.containerdexporter.containerd.api.events.ImageCreate;
import io.containerdexporter.containerd.api.events.TaskOOM;
import io.containerdexporter.containerd.api.services.events.v1.Envelope;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.it.Await;
import io.containerdexporter.it.MetricsText;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What no real daemon sends on demand: containerd 2.x's envelope type, garbage payloads, unknown
 * topics and type URLs. Each bad event is counted by reason and skipped; the stream stays up and
 * later events still count.
 */
class EventStreamFakeTest {

  private static Any bare(com.google.protobuf.Message m) {
    return Any.newBuilder()
        .setTypeUrl(m.getDescriptorForType().getFullName())
        .setValue(m.toByteString())
        .build();
  }

  private static Envelope v1(String topic, Any payload) {
    return Envelope.newBuilder()
        .setNamespace("default")
        .setTopic(topic)
        .setEvent(payload)
        .setTimestamp(
            com.google.protobuf.Timestamp.newBuilder().setSeconds(Instant.now().getEpochSecond()))
        .build();
  }

  /**
   * containerd ≥ 1.7.25 / 2.x stream containerd.types.Envelope: built as such, sent as the bytes it
   * is.
   */
  private static Envelope v2(String topic, Any payload) throws Exception {
    io.containerdexporter.containerd.api.types.Envelope typed =
        io.containerdexporter.containerd.api.types.Envelope.newBuilder()
            .setNamespace("default")
            .setTopic(topic)
            .setEvent(payload)
            .setTimestamp(
                com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(Instant.now().getEpochSecond()))
            .build();
    return Envelope.parseFrom(typed.toByteString());
  }

  private static Optional<Double> ooms(MetricsText m) {
    return m.value("container_oom_events_total", "name", "c1");
  }

  @Test
  void bothEnvelopeTypesDecodeAndBadEventsAreCountedAndSkipped() throws Exception {
    try (FakeContainerd containerd = new FakeContainerd()) {
      containerd
          .namespace("default")
          .container(
              "c1",
              "busybox",
              Map.of(),
              io.containerdexporter.fake.FakeNamespace.spec("/default/c1", Map.of()))
          .task("c1", 42, Status.RUNNING);
      containerd.start();
      try (InProcessExporter exporter =
          InProcessExporter.start(containerd.socket(), "--poll.interval=1h")) {
        Await.until(
            Duration.ofSeconds(10),
            "the subscription",
            exporter::scrape,
            m ->
                m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0))
                    && containerd.subscribers() == 1
                    && ooms(m).isPresent());

        containerd.send(v2("/tasks/oom", bare(TaskOOM.newBuilder().setContainerId("c1").build())));
        containerd.send(v1("/tasks/oom", bare(TaskOOM.newBuilder().setContainerId("c1").build())));
        containerd.send(
            v1(
                "/tasks/oom",
                Any.newBuilder()
                    .setTypeUrl("containerd.events.TaskOOM")
                    .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff, 0x01, (byte) 0xff}))
                    .build()));
        containerd.send(v1("/made/up", bare(TaskOOM.newBuilder().setContainerId("c1").build())));
        containerd.send(v1("/tasks/oom", bare(ImageCreate.newBuilder().setName("x").build())));
        containerd.send(
            v1("/tasks/oom", Any.newBuilder().setTypeUrl("example.com/Unknown").build()));
        containerd.send(v2("/tasks/oom", bare(TaskOOM.newBuilder().setContainerId("c1").build())));

        MetricsText m =
            Await.until(
                Duration.ofSeconds(5),
                "three OOMs counted past the bad events",
                exporter::scrape,
                s -> ooms(s).equals(Optional.of(3.0)));
        assertEquals(
            Optional.of(1.0),
            m.value("containerd_exporter_events_decode_errors_total", "reason", "malformed"));
        assertEquals(
            Optional.of(1.0),
            m.value("containerd_exporter_events_decode_errors_total", "reason", "unknown_topic"));
        assertEquals(
            Optional.of(2.0),
            m.value("containerd_exporter_events_decode_errors_total", "reason", "unknown_type"));
        assertEquals(
            Optional.of(6.0),
            m.value(
                "containerd_events_total",
                "containerd_namespace",
                "default",
                "topic",
                "/tasks/oom"));
        assertEquals(
            Optional.of(1.0),
            m.value(
                "containerd_events_total", "containerd_namespace", "default", "topic", "/made/up"));
        assertEquals(Optional.of(1.0), m.value("containerd_exporter_event_stream_up"));
        assertEquals(
            Optional.of(0.0), m.value("containerd_exporter_event_stream_reconnects_total"));
        assertEquals(1, containerd.subscribers(), "the same stream, never dropped");
      }
    }
  }
}
