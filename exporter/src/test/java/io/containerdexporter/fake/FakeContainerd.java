package io.containerdexporter.fake;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A containerd that answers from a fixed inventory, for what a real daemon can't show on demand:
 * exact inventories, failures, hangs. It serves our declared containerd API on a unix socket in a
 * temp dir, through grpc-netty's epoll transport like the real daemon, so the exporter talks to it
 * with its production client.
 *
 * <pre>{@code
 * try (FakeContainerd containerd = new FakeContainerd()) {
 *   containerd.namespace("default").container("web", "nginx:1.27", Map.of()).task("web", 42, Status.RUNNING);
 *   containerd.start();
 *   ... --containerd.address=containerd.socket() ...
 *   containerd.failWith("containerd.services.snapshots.v1.Snapshots/List", io.grpc.Status.UNAVAILABLE);
 * }
 * }</pre>
 *
 * Thread names start with {@value #THREAD_PREFIX}; after {@link #close()} none is left.
 */
public final class FakeContainerd implements AutoCloseable {

  public static final String THREAD_PREFIX = "fake-containerd-";

  private final Inventory inventory = new Inventory();
  private final EventsService events = new EventsService();
  private final List<BindableService> services = FakeServices.all(inventory, events);
  private final Faults faults = new Faults(methodNames(services));
  private Path dir;
  private Path socket;
  private Server server;
  private EventLoopGroup boss;
  private EventLoopGroup workers;
  private ExecutorService handlers;

  /** What Version.Version answers (default v2.1.4, revision "fake"). */
  public FakeContainerd version(String version, String revision) {
    inventory.version(version, revision);
    return this;
  }

  /** The namespace, created (and listed by Namespaces.List from then on) if it does not exist. */
  public FakeNamespace namespace(String name) {
    return inventory.namespace(name);
  }

  /** The namespace deleted, as Namespaces.Delete leaves it: no longer listed. */
  public void removeNamespace(String name) {
    inventory.removeNamespace(name);
  }

  /** A loaded snapshotter plugin; adding a snapshot to a namespace declares its snapshotter too. */
  public FakeContainerd snapshotter(String id) {
    inventory.snapshotter(id);
    return this;
  }

  /**
   * A loaded snapshotter plugin whose "root" export is {@code root} (where the exporter finds the
   * filesystem under the writable layers).
   */
  public FakeContainerd snapshotter(String id, String root) {
    inventory.snapshotter(id, root);
    return this;
  }

  /**
   * A snapshotter plugin that failed to load: listed by Introspection with init_err, refused by
   * Snapshots.
   */
  public FakeContainerd brokenSnapshotter(String id, String initError) {
    inventory.brokenSnapshotter(id, initError);
    return this;
  }

  /** Listens on {@code containerd.sock} in a new temp dir. */
  public synchronized FakeContainerd start() throws IOException {
    if (server != null) {
      throw new IllegalStateException("already started");
    }
    dir = Files.createTempDirectory("fake-containerd");
    socket = dir.resolve("containerd.sock");
    boss = new MultiThreadIoEventLoopGroup(1, threads("boss"), EpollIoHandler.newFactory());
    workers = new MultiThreadIoEventLoopGroup(2, threads("io"), EpollIoHandler.newFactory());
    handlers = Executors.newCachedThreadPool(threads("rpc"));
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollServerDomainSocketChannel.class)
            .bossEventLoopGroup(boss)
            .workerEventLoopGroup(workers)
            // Unix sockets have no SO_KEEPALIVE, which grpc-netty sets on every accepted channel;
            // netty warns otherwise.
            .withChildOption(ChannelOption.SO_KEEPALIVE, null)
            // Our own executor: a hung call blocks one of its threads, and close() must be able to
            // end them all.
            .executor(handlers)
            // Interceptors run last-added first: count and inject faults before anything else looks
            // at the call.
            .intercept(new NamespaceInterceptor())
            .intercept(faults);
    services.forEach(builder::addService);
    server = builder.build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    return this;
  }

  public Path socket() {
    if (socket == null) {
      throw new IllegalStateException("not started");
    }
    return socket;
  }

  /**
   * Sends an event to every open Events.Subscribe stream (topic e.g. {@code /tasks/oom}, event e.g.
   * a {@code containerd.events.TaskOOM}), packed as containerd packs it.
   */
  public void publish(String namespace, String topic, com.google.protobuf.Message event) {
    events.publish(namespace, topic, event, java.time.Instant.now());
  }

  /** Events.Subscribe streams open right now. */
  /**
   * Sends an envelope as given: garbage payloads, unknown topics, 2.x envelopes re-read as 1.x
   * bytes.
   */
  public void send(io.containerdexporter.containerd.api.services.events.v1.Envelope envelope) {
    events.send(envelope);
  }

  /**
   * Ends every Events.Subscribe stream as a containerd restart does; the clients' next Subscribe is
   * served again.
   */
  public void dropEventStreams() {
    events.dropSubscribers();
  }

  public int subscribers() {
    return events.subscribers();
  }

  /**
   * Every later call of {@code method} (full name, e.g. {@code
   * containerd.services.tasks.v1.Tasks/List}) fails.
   */
  public void failWith(String method, Status status) {
    faults.failWith(method, status);
  }

  /**
   * Later calls of {@code method} get no answer until {@link #release}, {@link #clearFailures} or
   * {@link #close}.
   */
  public void hang(String method) {
    faults.hang(method);
  }

  /** Lets calls of {@code method} that hang answer normally, and stops hanging new ones. */
  public void release(String method) {
    faults.release(method);
  }

  /** Forgets every injected failure and releases every hang. */
  public void clearFailures() {
    faults.clear();
  }

  /** Calls of {@code method} received so far, failed and hung ones included. */
  public int calls(String method) {
    return faults.calls(method);
  }

  /** Calls of {@code method} open right now (received, not yet answered or cancelled). */
  public int inFlight(String method) {
    return faults.open(method);
  }

  /** The most calls of {@code method} ever open at once. */
  public int maxInFlight(String method) {
    return faults.maxOpen(method);
  }

  /**
   * Releases hung calls, stops the server, its event loops and handler threads, and removes the
   * temp dir.
   */
  @Override
  public synchronized void close() {
    faults.clear();
    try {
      if (server != null) {
        server.shutdownNow();
        server.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (handlers != null) {
        handlers.shutdownNow();
        handlers.awaitTermination(5, TimeUnit.SECONDS);
      }
      for (EventLoopGroup group : new EventLoopGroup[] {boss, workers}) {
        if (group != null) {
          group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deleteRecursively(dir);
      server = null;
    }
  }

  private static Set<String> methodNames(List<BindableService> services) {
    Set<String> names = new HashSet<>();
    services.forEach(
        s ->
            s.bindService()
                .getMethods()
                .forEach(m -> names.add(m.getMethodDescriptor().getFullMethodName())));
    return names;
  }

  private static ThreadFactory threads(String kind) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, THREAD_PREFIX + kind + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  private static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + dir, e);
    }
  }
}
