package io.containerdexporter.containerd;

import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.logging.Level;

/**
 * "containerd is not there" is the {@link ConnectionMonitor}'s to report: one line per cause for
 * the whole process, saying what is wrong with the socket. Everything else that calls containerd
 * (the poller, the event subscriber) logs such a failure at debug only, so an outage reads as one
 * line per cause, not one per caller.
 */
public final class ContainerdUnreachable {

  private ContainerdUnreachable() {}

  /**
   * Whether {@code failure} (or a cause of it) is gRPC's UNAVAILABLE: no connection to containerd;
   * or a call cut off by the connection closing under it (grpc-netty's {@code UNKNOWN: channel
   * closed}, when containerd dies while the call is in flight): the same outage, seen a moment
   * before the connection monitor sees it.
   */
  public static boolean is(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      Status status =
          t instanceof StatusRuntimeException s
              ? s.getStatus()
              : t instanceof StatusException s ? s.getStatus() : null;
      if (status != null
          && (status.getCode() == Status.Code.UNAVAILABLE || connectionClosed(status))) {
        return true;
      }
    }
    return false;
  }

  private static boolean connectionClosed(Status status) {
    return status.getCode() == Status.Code.UNKNOWN
        && (status.getCause() instanceof java.nio.channels.ClosedChannelException
            || "channel closed".equals(status.getDescription()));
  }

  /**
   * {@code otherwise}, or debug ({@link Level#FINE}) when the failure is containerd being
   * unreachable.
   */
  public static Level levelFor(Throwable failure, Level otherwise) {
    return is(failure) ? Level.FINE : otherwise;
  }
}
