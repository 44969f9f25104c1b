package io.containerdexporter.cri;

import io.containerdexporter.cri.v1.ImageServiceGrpc;
import io.containerdexporter.cri.v1.ImageSpec;
import io.containerdexporter.cri.v1.PullImageRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Plays kubelet's image manager against containerd's CRI: {@code runtime.v1.ImageService/PullImage}
 * over the containerd socket, the call whose failures containerd only logs.
 */
public final class CriImagePuller implements AutoCloseable {

  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  private final CriChannel channel;

  public CriImagePuller(Path containerdSocket) {
    this.channel = new CriChannel(containerdSocket);
  }

  /** The outcome of one pull: the image id, or the gRPC status containerd answered. */
  public record Outcome(Status.Code code, String imageRef, String message) {
    public boolean ok() {
      return code == Status.Code.OK;
    }
  }

  public Outcome pull(String reference) {
    try {
      String ref =
          ImageServiceGrpc.newBlockingStub(channel.channel())
              .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
              .pullImage(
                  PullImageRequest.newBuilder()
                      .setImage(ImageSpec.newBuilder().setImage(reference))
                      .build())
              .getImageRef();
      return new Outcome(Status.Code.OK, ref, "");
    } catch (StatusRuntimeException e) {
      return new Outcome(
          e.getStatus().getCode(), "", String.valueOf(e.getStatus().getDescription()));
    }
  }

  @Override
  public void close() {
    channel.close();
  }
}
