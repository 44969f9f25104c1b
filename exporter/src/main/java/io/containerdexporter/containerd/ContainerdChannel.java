package io.containerdexporter.containerd;

import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one gRPC channel to containerd's unix socket, shared by the poller, the event stream and the
 * health probe. The raw channel never leaves this class: callers get it with the {@link
 * ReadOnlyGuard} already in front.
 */
public final class ContainerdChannel implements AutoCloseable {

  /**
   * containerd's own client allows 16 MiB (defaults.DefaultMaxRecvMsgSize); a large Containers.List
   * needs it.
   */
  static final int MAX_INBOUND_MESSAGE_BYTES = 16 << 20;

  /**
   * containerd's gRPC server keeps grpc-go's default keepalive enforcement (pings no closer than 5
   * minutes, none without an active call), and answers closer pings with GOAWAY "too_many_pings".
   * So we ping only when a call (the event stream) is open, and not more often than that: this
   * catches a containerd that hangs without closing the socket. A containerd that dies closes the
   * socket, which we notice at once.
   */
  static final long KEEPALIVE_TIME_SECONDS = 6 * 60;

  static final long KEEPALIVE_TIMEOUT_SECONDS = 20;

  private final Path socket;
  private final EventLoopGroup eventLoop;
  private final ManagedChannel channel;

  public ContainerdChannel(Path socket) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException(
          "netty epoll is not available on this platform (" + Epoll.unavailabilityCause() + ")");
    }
    this.socket = socket;
    this.eventLoop =
        new MultiThreadIoEventLoopGroup(
            1, daemonThreads("containerd-grpc"), EpollIoHandler.newFactory());
    this.channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(eventLoop)
            .usePlaintext()
            // The :authority of a unix-socket call is arbitrary; containerd's own client uses
            // "localhost".
            .overrideAuthority("localhost")
            // Unix sockets have no SO_KEEPALIVE; without this netty warns once per connection
            // (grpc-java#10408).
            .withOption(ChannelOption.SO_KEEPALIVE, null)
            .maxInboundMessageSize(MAX_INBOUND_MESSAGE_BYTES)
            .keepAliveTime(KEEPALIVE_TIME_SECONDS, TimeUnit.SECONDS)
            .keepAliveTimeout(KEEPALIVE_TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(false)
            .intercept(new ReadOnlyGuard())
            .build();
  }

  public Path socket() {
    return socket;
  }

  /** The guarded channel; every call on it passes the read-only allow-list. */
  public Channel channel() {
    return channel;
  }

  /**
   * grpc-java backs off reconnecting for up to two minutes; our own retry loop decides when to try,
   * so it resets grpc's backoff first and a restarted containerd is seen within one of our probes.
   */
  public void resetConnectBackoff() {
    channel.resetConnectBackoff();
  }

  /**
   * Runs {@code action} (briefly, on a gRPC thread) as soon as the channel is connected; never if
   * it shuts down.
   */
  void whenReady(Runnable action) {
    ConnectivityState state = channel.getState(true);
    if (state == ConnectivityState.READY) {
      action.run();
    } else if (state != ConnectivityState.SHUTDOWN) {
      channel.notifyWhenStateChanged(state, () -> whenReady(action));
    }
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
