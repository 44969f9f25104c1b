package io.containerdexporter.cri;

import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The test's own gRPC channel to containerd's unix socket (or its TCP listener). Deliberately not
 * the exporter's ContainerdChannel: that one puts a read-only guard in front of every call, and a
 * test playing kubelet has to create and remove pods.
 */
public final class CriChannel implements AutoCloseable {

  private final EventLoopGroup eventLoop;
  private final ManagedChannel channel;

  /** A channel to containerd's unix socket. */
  public CriChannel(Path socket) {
    this(new DomainSocketAddress(socket.toString()));
  }

  public CriChannel(SocketAddress address) {
    this.eventLoop =
        new MultiThreadIoEventLoopGroup(
            1,
            r -> {
              Thread t = new Thread(r, "cri-client-grpc");
              t.setDaemon(true);
              return t;
            },
            EpollIoHandler.newFactory());
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(address)
            .eventLoopGroup(eventLoop)
            .usePlaintext()
            .overrideAuthority("localhost");
    if (address instanceof DomainSocketAddress) {
      builder
          .channelType(EpollDomainSocketChannel.class)
          // Unix sockets have no SO_KEEPALIVE; without this netty warns once per connection
          // (grpc-java#10408).
          .withOption(ChannelOption.SO_KEEPALIVE, null);
    } else {
      builder.channelType(EpollSocketChannel.class); // a guest's containerd, through a forward
    }
    this.channel = builder.build();
  }

  public ManagedChannel channel() {
    return channel;
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
}
