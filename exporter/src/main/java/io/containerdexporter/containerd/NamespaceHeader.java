package io.containerdexporter.containerd;

import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;

/**
 * containerd scopes most calls by the {@code containerd-namespace} gRPC header
 * (pkg/namespaces/grpc.go); a call without it fails with "namespace is required".
 */
public final class NamespaceHeader {

  public static final Metadata.Key<String> KEY =
      Metadata.Key.of("containerd-namespace", Metadata.ASCII_STRING_MARSHALLER);

  private NamespaceHeader() {}

  public static ClientInterceptor of(String namespace) {
    Metadata headers = new Metadata();
    headers.put(KEY, namespace);
    return MetadataUtils.newAttachHeadersInterceptor(headers);
  }
}
