package io.containerdexporter.containerd;

import com.google.protobuf.Any;

/**
 * containerd packs payloads with its typeurl package, whose URLs are the bare full proto name
 * ({@code containerd.events.TaskOOM}, {@code io.containerd.cgroups.v2.Metrics}) with no {@code
 * type.googleapis.com/} prefix. protobuf-java's {@code Any.is()/unpack()} need a '/', so we compare
 * names ourselves.
 */
public final class TypeUrls {

  private TypeUrls() {}

  /** The full proto message name an Any carries, whether or not its URL has a host prefix. */
  public static String typeName(Any any) {
    String url = any.getTypeUrl();
    return url.substring(url.lastIndexOf('/') + 1);
  }

  public static boolean is(Any any, com.google.protobuf.Descriptors.Descriptor type) {
    return typeName(any).equals(type.getFullName());
  }
}
