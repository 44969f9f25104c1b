package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.containerdexporter.containerd.api.events.ImageCreate;
import io.containerdexporter.containerd.api.events.TaskExit;
import io.containerdexporter.containerd.api.events.TaskOOM;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventDecoderTest {

  /** containerd's typeurl: the bare full name, no type.googleapis.com/ prefix. */
  private static Any bare(com.google.protobuf.Message m) {
    return Any.newBuilder()
        .setTypeUrl(m.getDescriptorForType().getFullName())
        .setValue(m.toByteString())
        .build();
  }

  @Test
  void decodesContainerdPayloadsByTheirBareTypeUrl() {
    var oom =
        EventDecoder.decode("/tasks/oom", bare(TaskOOM.newBuilder().setContainerId("c1").build()));
    assertEquals(
        new ContainerEvent.TaskOom("c1"),
        assertInstanceOf(EventDecoder.Decoded.class, oom).event());

    var exit =
        EventDecoder.decode(
            "/tasks/exit",
            bare(
                TaskExit.newBuilder()
                    .setContainerId("c1")
                    .setId("c1")
                    .setExitStatus(137)
                    .setExitedAt(Timestamp.newBuilder().setSeconds(100).setNanos(5))
                    .build()));
    ContainerEvent.TaskExit e =
        (ContainerEvent.TaskExit) assertInstanceOf(EventDecoder.Decoded.class, exit).event();
    assertEquals(137, e.exitStatus());
    assertEquals(Instant.ofEpochSecond(100, 5), e.exitedAt());
    assertEquals(true, e.isInit());

    var image =
        EventDecoder.decode(
            "/images/create", bare(ImageCreate.newBuilder().setName("busybox").build()));
    assertEquals(
        new ContainerEvent.ImageChanged("create", "busybox", java.util.Map.of()),
        assertInstanceOf(EventDecoder.Decoded.class, image).event());
  }

  @Test
  void aPrefixedTypeUrlWorksToo() {
    Any prefixed = Any.pack(TaskOOM.newBuilder().setContainerId("c1").build());
    assertInstanceOf(EventDecoder.Decoded.class, EventDecoder.decode("/tasks/oom", prefixed));
  }

  @Test
  void execExitsAreNotInit() {
    assertEquals(false, new ContainerEvent.TaskExit("c1", "exec-1", 0, Instant.EPOCH).isInit());
  }

  @Test
  void failuresAreNamedNotThrown() {
    assertEquals(
        EventDecoder.Failure.UNKNOWN_TOPIC,
        assertInstanceOf(
                EventDecoder.Failed.class,
                EventDecoder.decode("/made/up", bare(TaskOOM.getDefaultInstance())))
            .failure());
    assertEquals(
        EventDecoder.Failure.UNKNOWN_TYPE,
        assertInstanceOf(
                EventDecoder.Failed.class,
                EventDecoder.decode("/tasks/oom", bare(ImageCreate.getDefaultInstance())))
            .failure());
    Any garbage =
        Any.newBuilder()
            .setTypeUrl("containerd.events.TaskOOM")
            .setValue(ByteString.copyFrom(new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}))
            .build();
    assertEquals(
        EventDecoder.Failure.MALFORMED,
        assertInstanceOf(EventDecoder.Failed.class, EventDecoder.decode("/tasks/oom", garbage))
            .failure());
  }

  @Test
  void randomPayloadsNeverThrow() {
    Random random = new Random(7);
    for (int i = 0; i < 5000; i++) {
      byte[] junk = new byte[random.nextInt(48)];
      random.nextBytes(junk);
      String topic = random.nextBoolean() ? "/tasks/exit" : "/containers/update";
      String type =
          topic.equals("/tasks/exit")
              ? "containerd.events.TaskExit"
              : "containerd.events.ContainerUpdate";
      EventDecoder.decode(
          topic, Any.newBuilder().setTypeUrl(type).setValue(ByteString.copyFrom(junk)).build());
    }
  }
}
