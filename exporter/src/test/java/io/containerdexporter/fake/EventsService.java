package io.containerdexporter.fake;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.containerdexporter.containerd.api.services.events.v1.Envelope;
import io.containerdexporter.containerd.api.services.events.v1.EventsGrpc;
import io.containerdexporter.containerd.api.services.events.v1.SubscribeRequest;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events.Subscribe as containerd serves it: the stream stays open, sending nothing until something
 * happens. A test makes things happen with {@link #publish}. Filters are ignored (every subscriber
 * gets every event).
 */
final class EventsService extends EventsGrpc.EventsImplBase {

  private final Set<ServerCallStreamObserver<Envelope>> subscribers = ConcurrentHashMap.newKeySet();

  @Override
  public void subscribe(SubscribeRequest request, StreamObserver<Envelope> out) {
    ServerCallStreamObserver<Envelope> stream = (ServerCallStreamObserver<Envelope>) out;
    stream.setOnCancelHandler(() -> subscribers.remove(stream));
    subscribers.add(stream);
  }

  int subscribers() {
    return subscribers.size();
  }

  /**
   * Sends an envelope to every open subscription. The payload is packed the way containerd's
   * typeurl does it: the type URL is the bare full proto name, without {@code
   * type.googleapis.com/}.
   */
  void publish(String namespace, String topic, Message event, Instant at) {
    send(
        Envelope.newBuilder()
            .setTimestamp(Timestamps.of(at))
            .setNamespace(namespace)
            .setTopic(topic)
            .setEvent(
                Any.newBuilder()
                    .setTypeUrl(event.getDescriptorForType().getFullName())
                    .setValue(event.toByteString()))
            .build());
  }

  /**
   * Ends every open subscription with the error a containerd that goes away gives ("transport is
   * closing").
   */
  void dropSubscribers() {
    for (ServerCallStreamObserver<Envelope> stream : subscribers) {
      synchronized (stream) {
        try {
          stream.onError(
              io.grpc.Status.UNAVAILABLE
                  .withDescription("transport is closing")
                  .asRuntimeException());
        } catch (RuntimeException alreadyCancelled) {
          // the client went first
        }
      }
      subscribers.remove(stream);
    }
  }

  /**
   * Sends an envelope exactly as given (any payload bytes, any type URL), for decode-error tests.
   */
  void send(Envelope envelope) {
    for (ServerCallStreamObserver<Envelope> stream : subscribers) {
      // A StreamObserver is not thread-safe; two publishing test threads must not interleave on one
      // stream.
      synchronized (stream) {
        try {
          stream.onNext(envelope);
        } catch (StatusRuntimeException cancelled) {
          subscribers.remove(stream);
        }
      }
    }
  }
}
