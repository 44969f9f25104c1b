package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class ContainerdUnreachableTest {

  @Test
  void noConnectionAndAConnectionClosedUnderACallAreUnreachable() {
    assertTrue(ContainerdUnreachable.is(Status.UNAVAILABLE.asRuntimeException()));
    // What a call in flight gets when containerd is killed (seen in LogsIT).
    assertTrue(
        ContainerdUnreachable.is(Status.UNKNOWN.withDescription("channel closed").asException()));
    assertTrue(
        ContainerdUnreachable.is(
            new IllegalStateException(
                Status.UNKNOWN.withCause(new ClosedChannelException()).asRuntimeException())));
    assertEquals(
        Level.FINE,
        ContainerdUnreachable.levelFor(
            Status.UNKNOWN.withDescription("channel closed").asRuntimeException(), Level.WARNING));
  }

  @Test
  void containerdAnsweringWithAnErrorIsNot() {
    assertFalse(ContainerdUnreachable.is(Status.UNKNOWN.withDescription("boom").asException()));
    assertFalse(ContainerdUnreachable.is(Status.INTERNAL.asRuntimeException()));
    assertFalse(ContainerdUnreachable.is(Status.DEADLINE_EXCEEDED.asRuntimeException()));
    assertFalse(ContainerdUnreachable.is(new IllegalStateException("not grpc")));
  }
}
