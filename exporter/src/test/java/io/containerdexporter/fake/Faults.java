package io.containerdexporter.fake;

import io.grpc.Context;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Failure injection and bookkeeping per full method name: every call is counted; a failing method
 * closes at once with its status; a hung method holds the call (after the request arrived, before
 * the service answers) until it is released, the client cancels it, or the server closes. Open
 * calls are tracked so a test can see whether a client piles calls up.
 */
final class Faults implements ServerInterceptor {

  private final Set<String> methods;
  private final Map<String, Status> failures = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> hangs = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> maxOpen = new ConcurrentHashMap<>();

  Faults(Set<String> methods) {
    this.methods = Set.copyOf(methods);
  }

  void failWith(String method, Status status) {
    failures.put(known(method), status);
  }

  void hang(String method) {
    hangs.putIfAbsent(known(method), new CompletableFuture<>());
  }

  void release(String method) {
    CompletableFuture<Void> gate = hangs.remove(known(method));
    if (gate != null) {
      gate.complete(null);
    }
  }

  void clear() {
    failures.clear();
    hangs.keySet().forEach(this::release);
  }

  int calls(String method) {
    return counter(calls, known(method)).get();
  }

  int open(String method) {
    return counter(open, known(method)).get();
  }

  int maxOpen(String method) {
    return counter(maxOpen, known(method)).get();
  }

  /**
   * A typo in a method name would make a failure test pass vacuously; refuse names the fake does
   * not serve.
   */
  private String known(String method) {
    if (!methods.contains(method)) {
      throw new IllegalArgumentException(
          "the fake serves no method " + method + "; it serves " + methods);
    }
    return method;
  }

  private static AtomicInteger counter(Map<String, AtomicInteger> map, String method) {
    return map.computeIfAbsent(method, m -> new AtomicInteger());
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    counter(calls, method).incrementAndGet();
    Status failure = failures.get(method);
    if (failure != null) {
      call.close(failure, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    int nowOpen = counter(open, method).incrementAndGet();
    counter(maxOpen, method).accumulateAndGet(nowOpen, Math::max);
    AtomicBoolean ended = new AtomicBoolean();
    Runnable end =
        () -> {
          if (ended.compareAndSet(false, true)) {
            counter(open, method).decrementAndGet();
          }
        };
    ServerCall<ReqT, RespT> tracked =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            end.run();
            super.close(status, trailers);
          }
        };
    CompletableFuture<Void> gate = hangs.get(method);
    return new SimpleForwardingServerCallListener<>(next.startCall(tracked, headers)) {
      @Override
      public void onHalfClose() {
        // Unary and server-streaming handlers answer on half-close: holding it here is a daemon
        // that never answers.
        if (gate != null && !awaitRelease(gate)) {
          return;
        }
        super.onHalfClose();
      }

      @Override
      public void onCancel() {
        end.run();
        super.onCancel();
      }

      @Override
      public void onComplete() {
        end.run();
        super.onComplete();
      }
    };
  }

  /**
   * Blocks this call's handler thread until the gate opens or the client gives up. Returns whether
   * to answer. The context is cancelled off the call's serialized executor, so a cancel reaches us
   * while we block here.
   */
  private static boolean awaitRelease(CompletableFuture<Void> gate) {
    Context context = Context.current();
    CompletableFuture<Void> wake = new CompletableFuture<>();
    gate.thenRun(() -> wake.complete(null));
    context.addListener(c -> wake.complete(null), Runnable::run);
    try {
      wake.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      throw new AssertionError(e);
    }
    return !context.isCancelled();
  }
}
