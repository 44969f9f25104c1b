package io.containerdexporter.fake;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Puts the {@code containerd-namespace} header into the call's context, where containerd's services
 * look for it.
 */
final class NamespaceInterceptor implements ServerInterceptor {

  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String namespace = headers.get(HEADER);
    if (namespace == null) {
      return next.startCall(call, headers);
    }
    return Contexts.interceptCall(
        Context.current().withValue(Inventory.NAMESPACE, namespace), call, headers, next);
  }
}
