package io.containerdexporter.containerd;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Set;

/**
 * The exporter only reads. Our .proto files declare no mutating RPC, so no stub can call one; this
 * interceptor is the second wall: every call on the channel is checked against an explicit
 * allow-list of read methods, and anything else fails with PERMISSION_DENIED before a byte leaves
 * the process.
 */
public final class ReadOnlyGuard implements ClientInterceptor {

  /**
   * Full gRPC method names ({@code package.Service/Method}) of the read RPCs the exporter may call.
   */
  public static final Set<String> ALLOWED_METHODS =
      Set.of(
          "containerd.services.version.v1.Version/Version",
          "containerd.services.introspection.v1.Introspection/Plugins",
          "containerd.services.introspection.v1.Introspection/Server",
          "containerd.services.namespaces.v1.Namespaces/Get",
          "containerd.services.namespaces.v1.Namespaces/List",
          "containerd.services.containers.v1.Containers/Get",
          "containerd.services.containers.v1.Containers/List",
          "containerd.services.containers.v1.Containers/ListStream",
          "containerd.services.tasks.v1.Tasks/Get",
          "containerd.services.tasks.v1.Tasks/List",
          "containerd.services.tasks.v1.Tasks/Metrics",
          "containerd.services.images.v1.Images/Get",
          "containerd.services.images.v1.Images/List",
          "containerd.services.content.v1.Content/Info",
          "containerd.services.content.v1.Content/List",
          "containerd.services.content.v1.Content/Read",
          "containerd.services.content.v1.Content/ListStatuses",
          "containerd.services.snapshots.v1.Snapshots/Stat",
          "containerd.services.snapshots.v1.Snapshots/List",
          "containerd.services.snapshots.v1.Snapshots/Usage",
          "containerd.services.events.v1.Events/Subscribe");

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (ALLOWED_METHODS.contains(method.getFullMethodName())) {
      return next.newCall(method, callOptions);
    }
    return new RefusedCall<>(method.getFullMethodName());
  }

  /** A call that never reaches the transport: it closes as soon as it is started. */
  private static final class RefusedCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
    private final String method;

    RefusedCall(String method) {
      this.method = method;
    }

    @Override
    public void start(Listener<RespT> listener, Metadata headers) {
      listener.onClose(
          Status.PERMISSION_DENIED.withDescription(
              "containerd-exporter is read-only; refused to call " + method),
          new Metadata());
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void cancel(String message, Throwable cause) {}

    @Override
    public void halfClose() {}

    @Override
    public void sendMessage(ReqT message) {}
  }
}
