package io.containerdexporter.it;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.containerdexporter.containerd.NamespaceHeader;
import io.containerdexporter.testonly.events.EventsGrpc;
import io.containerdexporter.testonly.events.PublishRequest;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Publishes events into a real containerd, as a shim or `containerd publish` would: the test's way
 * to make a burst of real events quickly. Test-side only; the exporter cannot call Publish.
 */
final class EventPublisher implements AutoCloseable {

  private final EventLoopGroup loop =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private final ManagedChannel channel;

  EventPublisher(Path socket) {
    channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(loop)
            .usePlaintext()
            .overrideAuthority("localhost")
            .withOption(io.netty.channel.ChannelOption.SO_KEEPALIVE, null)
            .build();
  }

  void publish(String namespace, String topic, Message event) {
    Any payload =
        Any.newBuilder()
            .setTypeUrl(event.getDescriptorForType().getFullName()) // containerd's bare type URLs
            .setValue(event.toByteString())
            .build();
    EventsGrpc.newBlockingStub(channel)
        .withInterceptors(NamespaceHeader.of(namespace))
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .publish(PublishRequest.newBuilder().setTopic(topic).setEvent(payload).build());
  }

  @Override
  public void close() {
    channel.shutdownNow();
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
