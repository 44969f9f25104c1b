package io.containerdexporter.fake;

import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.function.Supplier;

/**
 * Answers a call from the model. A {@link StatusRuntimeException} thrown while computing the answer
 * becomes the call's status (thrown out of a handler, grpc-java would reset the stream and the
 * client would only see CANCELLED).
 */
final class Replies {

  private Replies() {}

  static <T> void unary(StreamObserver<T> out, Supplier<T> answer) {
    T value;
    try {
      value = answer.get();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    out.onNext(value);
    out.onCompleted();
  }

  static <T> void stream(StreamObserver<T> out, Supplier<List<T>> answer) {
    List<T> messages;
    try {
      messages = answer.get();
    } catch (StatusRuntimeException e) {
      out.onError(e);
      return;
    }
    messages.forEach(out::onNext);
    out.onCompleted();
  }

  /**
   * containerd sends listings in batches (of 100); the fake uses small ones so a client's merging
   * is exercised.
   */
  static <T> List<List<T>> batches(List<T> all, int size) {
    List<List<T>> out = new java.util.ArrayList<>();
    for (int i = 0; i < all.size(); i += size) {
      out.add(all.subList(i, Math.min(all.size(), i + size)));
    }
    return out;
  }
}
