package io.containerdexporter.containerd;

import io.containerdexporter.containerd.api.services.events.v1.Envelope;
import io.containerdexporter.containerd.api.services.events.v1.EventsGrpc;
import io.containerdexporter.containerd.api.services.events.v1.SubscribeRequest;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The plumbing of one Events.Subscribe call: manual flow control, and "started" only once the call
 * is on the wire.
 */
public final class EventStream {

  private final ContainerdChannel channel;

  EventStream(ContainerdChannel channel) {
    this.channel = channel;
  }

  /**
   * Receives the event stream; called on the executor given to {@link #subscribe}, one envelope at
   * a time.
   */
  public interface Listener {
    /**
     * The call is on the wire: containerd has the request (it answers nothing until an event
     * happens).
     */
    void onStarted();

    void onEnvelope(Envelope envelope);

    /** The stream ended: {@code error} is null if containerd closed it cleanly. */
    void onClosed(Throwable error);
  }

  /**
   * Subscribes to containerd's events (every namespace unless {@code filters} say otherwise). The
   * stream has no deadline. Flow control is manual: the next envelope is only requested once the
   * listener returned, so a slow listener holds containerd back instead of filling an unbounded
   * buffer here. Returns a handle that cancels it.
   */
  Runnable subscribe(List<String> filters, Executor executor, Listener listener) {
    AtomicReference<ClientCallStreamObserver<SubscribeRequest>> call = new AtomicReference<>();
    EventsGrpc.newStub(channel.channel())
        .withExecutor(executor)
        .subscribe(
            SubscribeRequest.newBuilder().addAllFilters(filters).build(),
            new ClientResponseObserver<SubscribeRequest, Envelope>() {
              @Override
              public void beforeStart(ClientCallStreamObserver<SubscribeRequest> requestStream) {
                call.set(requestStream);
                requestStream.disableAutoRequestWithInitial(1);
              }

              @Override
              public void onNext(Envelope envelope) {
                try {
                  listener.onEnvelope(envelope);
                } finally {
                  call.get().request(1);
                }
              }

              @Override
              public void onError(Throwable t) {
                listener.onClosed(t);
              }

              @Override
              public void onCompleted() {
                listener.onClosed(null);
              }
            });
    // Once the channel is connected the request goes straight out; before that (a slow first
    // connection) containerd
    // cannot have registered the subscription, so "started" waits for READY.
    channel.whenReady(() -> executor.execute(listener::onStarted));
    return () -> call.get().cancel("exporter unsubscribed", null);
  }
}
