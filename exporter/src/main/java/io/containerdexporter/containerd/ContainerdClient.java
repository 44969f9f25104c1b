package io.containerdexporter.containerd;

import com.google.protobuf.Empty;
import io.containerdexporter.containerd.api.services.version.v1.VersionGrpc;
import io.containerdexporter.containerd.api.services.version.v1.VersionResponse;
import io.containerdexporter.model.ContainerdVersion;
import io.grpc.stub.AbstractStub;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The read-only face of containerd's API that the rest of the exporter uses. Every unary call carries a deadline, and
 * namespaced calls carry the {@code containerd-namespace} header; callers never see a stub or a channel.
 */
public final class ContainerdClient {

  private final ContainerdChannel channel;
  private final Duration timeout;

  public ContainerdClient(ContainerdChannel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
  }

  public Path socket() {
    return channel.socket();
  }

  /** See {@link ContainerdChannel#resetConnectBackoff()}. */
  public void resetConnectBackoff() {
    channel.resetConnectBackoff();
  }

  public ContainerdVersion version() {
    VersionResponse response = withDeadline(VersionGrpc.newBlockingStub(channel.channel()))
        .version(Empty.getDefaultInstance());
    return new ContainerdVersion(response.getVersion(), response.getRevision());
  }

  private <S extends AbstractStub<S>> S withDeadline(S stub) {
    return stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }
}
