package io.containerdexporter.containerd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Empty;
import io.containerdexporter.containerd.api.services.version.v1.VersionGrpc;
import io.containerdexporter.containerd.api.services.version.v1.VersionResponse;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReadOnlyGuardTest {

  /** Verbs of containerd RPCs that change state; none may ever be callable. */
  private static final Pattern MUTATING =
      Pattern.compile(
          "/(Create|Update|Delete|Kill|Start|Pause|Resume|Exec|ResizePty|CloseIO|Checkpoint|Publish|Forward|Write|Abort"
              + "|Prepare|Commit|Remove|View|Mount|Cleanup|Wait|Transfer|Put|Set|Lease|Sync)");

  private final AtomicInteger killsReceived = new AtomicInteger();
  private final AtomicInteger versionsReceived = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  private static final MethodDescriptor<Empty, Empty> TASKS_KILL =
      MethodDescriptor.<Empty, Empty>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("containerd.services.tasks.v1.Tasks/Kill")
          .setRequestMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .setResponseMarshaller(ProtoUtils.marshaller(Empty.getDefaultInstance()))
          .build();

  @BeforeEach
  void startServerThatWouldAcceptAnything() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                new VersionGrpc.VersionImplBase() {
                  @Override
                  public void version(Empty request, StreamObserver<VersionResponse> response) {
                    versionsReceived.incrementAndGet();
                    response.onNext(
                        VersionResponse.newBuilder().setVersion("1.6.20").setRevision("r").build());
                    response.onCompleted();
                  }
                })
            .addService(
                ServerServiceDefinition.builder("containerd.services.tasks.v1.Tasks")
                    .addMethod(
                        TASKS_KILL,
                        ServerCalls.asyncUnaryCall(
                            (Empty request, StreamObserver<Empty> response) -> {
                              killsReceived.incrementAndGet();
                              response.onNext(Empty.getDefaultInstance());
                              response.onCompleted();
                            }))
                    .build())
            .directExecutor()
            .build()
            .start();
    channel =
        InProcessChannelBuilder.forName(name)
            .directExecutor()
            .intercept(new ReadOnlyGuard())
            .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void aMutatingCallIsRefusedBeforeItLeavesTheProcess() {
    StatusRuntimeException refused =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                ClientCalls.blockingUnaryCall(
                    channel, TASKS_KILL, io.grpc.CallOptions.DEFAULT, Empty.getDefaultInstance()));
    assertEquals(Status.Code.PERMISSION_DENIED, refused.getStatus().getCode());
    assertTrue(
        refused.getStatus().getDescription().contains("containerd.services.tasks.v1.Tasks/Kill"));
    assertEquals(0, killsReceived.get(), "the server must never see the call");
  }

  @Test
  void aReadCallGoesThrough() {
    VersionResponse response =
        VersionGrpc.newBlockingStub(channel).version(Empty.getDefaultInstance());
    assertEquals("1.6.20", response.getVersion());
    assertEquals(1, versionsReceived.get());
  }

  @Test
  void theAllowListHoldsNoMutatingMethod() {
    for (String method : ReadOnlyGuard.ALLOWED_METHODS) {
      assertTrue(!MUTATING.matcher(method).find(), method + " changes containerd's state");
    }
  }

  /**
   * Every RPC declared in our .proto files must be on the allow-list (or the client could not call
   * it) and none may be a mutating one (our protos must not even declare it).
   */
  @Test
  void everyDeclaredRpcIsAReadOnTheAllowList() throws IOException {
    Set<String> declared = declaredRpcs(Path.of("src/main/proto"));
    assertTrue(declared.size() >= 15, "found " + declared);
    for (String rpc : declared) {
      assertTrue(
          !MUTATING.matcher(rpc).find(), rpc + " is declared but changes containerd's state");
      assertTrue(
          ReadOnlyGuard.ALLOWED_METHODS.contains(rpc),
          rpc + " is declared but not on the allow-list");
    }
  }

  private static final Pattern PACKAGE = Pattern.compile("(?m)^package\\s+([\\w.]+)\\s*;");
  private static final Pattern SERVICE = Pattern.compile("(?s)service\\s+(\\w+)\\s*\\{(.*?)\\n}");
  private static final Pattern RPC = Pattern.compile("rpc\\s+(\\w+)\\s*\\(");

  static Set<String> declaredRpcs(Path root) throws IOException {
    Set<String> rpcs = new TreeSet<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path file :
          (Iterable<Path>) files.filter(p -> p.toString().endsWith(".proto"))::iterator) {
        String text = Files.readString(file).replaceAll("//[^\\n]*", "");
        Matcher pkg = PACKAGE.matcher(text);
        if (!pkg.find()) {
          continue;
        }
        Matcher service = SERVICE.matcher(text);
        while (service.find()) {
          Matcher rpc = RPC.matcher(service.group(2));
          while (rpc.find()) {
            rpcs.add(pkg.group(1) + "." + service.group(1) + "/" + rpc.group(1));
          }
        }
      }
    }
    return rpcs;
  }
}
