package io.containerdexporter.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An HTTP/1.1 reverse proxy in front of a {@link Registry} that can freeze a blob download
 * half-way, so a test can look at containerd while a pull is in flight (an ingest in {@code
 * Content.ListStatuses}, {@code ctr content active}).
 *
 * <p>Every exchange is forwarded byte for byte (method, target, headers incl. Range and Accept,
 * status, headers, body), one exchange per connection. A blob GET ({@code
 * /v2/<name>/blobs/<digest>}) that is armed, by digest or by size, gets its head and the first
 * {@code bytesBeforeStall} body bytes, then nothing more until {@link #release()}: the client's
 * connection simply stays open. containerd 1.6's fetcher has no body timeout, so it waits as long
 * as the test wants.
 *
 * <pre>{@code
 * try (StallingBlobProxy proxy = StallingBlobProxy.start(registry, 1_000_000)) {
 *     proxy.stallBlob(image.layerDigest());
 *     // start `ctr images pull --plain-http proxy.address() + "/repo:tag"` in the background
 *     StallingBlobProxy.Stall stall = proxy.awaitStalled(Duration.ofSeconds(10));
 *     // ... look at the in-flight ingest ...
 *     proxy.release();
 * }
 * }</pre>
 */
public final class StallingBlobProxy implements AutoCloseable {
  private static final Pattern BLOB_PATH =
      Pattern.compile("^/v2/(.+)/blobs/([a-z0-9]+:[a-f0-9]+)$");
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  /**
   * A response that reached its stall point: {@code bytesSent} body bytes of {@code contentLength}
   * went out.
   */
  public record Stall(
      String digest, String range, int status, long contentLength, long bytesSent) {}

  /**
   * One forwarded exchange as the proxy saw it; {@code range} is the request's Range header or "".
   */
  public record Exchange(String method, String target, String range, int status) {}

  private final String upstreamHost;
  private final int upstreamPort;
  private final long bytesBeforeStall;
  private final ServerSocket server;
  private final ExecutorService workers;
  private final Set<Socket> openSockets = ConcurrentHashMap.newKeySet();
  private final Set<String> stallDigests = ConcurrentHashMap.newKeySet();
  private final Map<String, AtomicLong> bytesServed = new ConcurrentHashMap<>();
  private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
  private final List<Stall> stalls = new CopyOnWriteArrayList<>();

  /** Guards the fields below; stalled workers wait on it. */
  private final Object lock = new Object();

  private long stallAboveSize = Long.MAX_VALUE;
  private boolean released;
  private boolean closed;
  private long abortGeneration;
  private final List<Socket> stalledClients = new ArrayList<>();

  private StallingBlobProxy(String upstreamAddress, long bytesBeforeStall) throws IOException {
    int colon = upstreamAddress.lastIndexOf(':');
    this.upstreamHost = upstreamAddress.substring(0, colon);
    this.upstreamPort = Integer.parseInt(upstreamAddress.substring(colon + 1));
    this.bytesBeforeStall = bytesBeforeStall;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.workers =
        Executors.newCachedThreadPool(
            runnable -> {
              Thread thread = new Thread(runnable, "stalling-blob-proxy");
              thread.setDaemon(true); // a forgotten proxy must not keep the test JVM alive
              return thread;
            });
    workers.execute(this::acceptLoop);
  }

  /** Starts a proxy on 127.0.0.1:(free port) in front of {@code upstream}; nothing is armed yet. */
  public static StallingBlobProxy start(Registry upstream, long bytesBeforeStall) {
    return start(upstream.address(), bytesBeforeStall);
  }

  /** As {@link #start(Registry, long)} for any plain-HTTP upstream given as host:port. */
  public static StallingBlobProxy start(String upstreamAddress, long bytesBeforeStall) {
    if (bytesBeforeStall < 0) {
      throw new IllegalArgumentException(
          "bytesBeforeStall must be >= 0 but is " + bytesBeforeStall);
    }
    try {
      return new StallingBlobProxy(upstreamAddress, bytesBeforeStall);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a loopback port for the proxy", e);
    }
  }

  /**
   * host:port to use in image references instead of the registry's, e.g. {@code address() +
   * "/repo:tag"}.
   */
  public String address() {
    return "127.0.0.1:" + server.getLocalPort();
  }

  /** Arms a stall for GETs of this blob ("sha256:..."). */
  public void stallBlob(String digest) {
    stallDigests.add(digest);
  }

  /** Arms a stall for every blob GET whose response body is longer than {@code size} bytes. */
  public void stallBlobsLargerThan(long size) {
    synchronized (lock) {
      stallAboveSize = size;
    }
  }

  /**
   * Waits until some response has reached its stall point and returns the first one; throws on
   * timeout.
   */
  public Stall awaitStalled(Duration timeout) {
    return awaitStalls(1, timeout).get(0);
  }

  /**
   * Waits until {@code count} stalls have been reached in all (e.g. a download, cut off by {@link
   * #abortStalled()}, resumed by the client with a Range request and stalled again) and returns
   * them in order.
   */
  public List<Stall> awaitStalls(int count, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (stalls.size() < count) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          throw new SandboxException(
              stalls.size()
                  + " of "
                  + count
                  + " blob downloads reached their stall "
                  + "point after "
                  + timeout.toMillis()
                  + " ms; exchanges so far: "
                  + exchanges);
        }
        waitOn(left);
      }
      return List.copyOf(stalls.subList(0, count));
    }
  }

  /** Every stall reached so far, in order. */
  public List<Stall> stalls() {
    return List.copyOf(stalls);
  }

  /** Body bytes sent to clients for this blob digest so far, over all its responses. */
  public long bytesServed(String digest) {
    AtomicLong served = bytesServed.get(digest);
    return served == null ? 0 : served.get();
  }

  /** Every exchange forwarded so far (recorded when the upstream's response head arrived). */
  public List<Exchange> exchanges() {
    return List.copyOf(exchanges);
  }

  /** Lets every held response finish and disarms: later downloads pass through unhindered. */
  public void release() {
    synchronized (lock) {
      released = true;
      lock.notifyAll();
    }
  }

  /**
   * Cuts every currently held response off mid-body (the client sees an unexpected EOF); stays
   * armed, so a retried download stalls again. Lets a test leave an interrupted ingest behind.
   */
  public void abortStalled() {
    List<Socket> victims;
    synchronized (lock) {
      abortGeneration++;
      victims = List.copyOf(stalledClients);
      lock.notifyAll();
    }
    victims.forEach(StallingBlobProxy::closeQuietly);
  }

  /**
   * Stops accepting, cuts held and running exchanges off, and waits for the worker threads to end.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      lock.notifyAll();
    }
    closeQuietly(server);
    openSockets.forEach(StallingBlobProxy::closeQuietly);
    workers.shutdownNow();
    try {
      workers.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---------------------------------------------------------------- forwarding

  private void acceptLoop() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        workers.execute(() -> serve(client));
      } catch (IOException e) {
        return; // closed
      } catch (java.util.concurrent.RejectedExecutionException e) {
        return; // closing
      }
    }
  }

  private void serve(Socket client) {
    openSockets.add(client);
    try (client;
        Socket upstream = new Socket(upstreamHost, upstreamPort)) {
      openSockets.add(upstream);
      try {
        forward(client, upstream);
      } finally {
        openSockets.remove(upstream);
      }
    } catch (IOException e) {
      // A peer went away (or close() cut us off): nothing to forward any more.
    } finally {
      openSockets.remove(client);
    }
  }

  private void forward(Socket client, Socket upstream) throws IOException {
    InputStream fromClient = new BufferedInputStream(client.getInputStream());
    Optional<HttpMessageHead> request = HttpMessageHead.read(fromClient);
    if (request.isEmpty()) {
      return;
    }
    OutputStream toUpstream = upstream.getOutputStream();
    toUpstream.write(request.get().withConnectionClose().bytes());
    toUpstream.flush();
    // A request body (a push through the proxy) goes up concurrently; it ends when either side
    // closes.
    workers.execute(() -> pipeQuietly(fromClient, toUpstream));

    InputStream fromUpstream = new BufferedInputStream(upstream.getInputStream());
    Optional<HttpMessageHead> response = HttpMessageHead.read(fromUpstream);
    if (response.isEmpty()) {
      return;
    }
    HttpMessageHead req = request.get();
    HttpMessageHead resp = response.get();
    String range = req.header("Range").orElse("");
    exchanges.add(new Exchange(req.method(), req.target(), range, resp.status()));
    OutputStream toClient = client.getOutputStream();
    toClient.write(resp.bytes());
    toClient.flush();
    Optional<String> digest = blobDigest(req);
    AtomicLong served =
        digest
            .map(d -> bytesServed.computeIfAbsent(d, k -> new AtomicLong()))
            .orElseGet(AtomicLong::new);
    if (digest.isPresent() && shouldStall(digest.get(), resp)) {
      long sent = copy(fromUpstream, toClient, bytesBeforeStall, served);
      toClient.flush();
      boolean bodyLeft =
          sent == bytesBeforeStall; // else the body was shorter: nothing to hold back
      if (bodyLeft
          && !holdUntilReleased(
              client, new Stall(digest.get(), range, resp.status(), resp.contentLength(), sent))) {
        return; // aborted or closed: cutting the connection off is the point
      }
    }
    copy(fromUpstream, toClient, Long.MAX_VALUE, served);
    toClient.flush();
  }

  /** GETs of a blob only: HEADs carry no body, and manifests are not what a test wants to hold. */
  static Optional<String> blobDigest(HttpMessageHead request) {
    if (!request.method().equals("GET")) {
      return Optional.empty();
    }
    String target = request.target();
    int query = target.indexOf('?');
    Matcher matcher = BLOB_PATH.matcher(query >= 0 ? target.substring(0, query) : target);
    return matcher.matches() ? Optional.of(matcher.group(2)) : Optional.empty();
  }

  private boolean shouldStall(String digest, HttpMessageHead response) {
    int status = response.status();
    if (status != 200 && status != 206) {
      return false;
    }
    synchronized (lock) {
      return !released
          && !closed
          && (stallDigests.contains(digest) || response.contentLength() > stallAboveSize);
    }
  }

  /** Returns true once released; false if aborted or closed first. */
  private boolean holdUntilReleased(Socket client, Stall stall) {
    synchronized (lock) {
      long generation = abortGeneration;
      stalls.add(stall);
      stalledClients.add(client);
      lock.notifyAll(); // wakes awaitStalled
      try {
        while (!released && !closed && abortGeneration == generation) {
          waitOn(0);
        }
        return released && !closed && abortGeneration == generation;
      } finally {
        stalledClients.remove(client);
      }
    }
  }

  private void waitOn(long millis) {
    try {
      lock.wait(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxException("interrupted while waiting on the stalling proxy", e);
    }
  }

  /** Copies until {@code limit} bytes or end of stream; returns how many were copied. */
  private static long copy(InputStream in, OutputStream out, long limit, AtomicLong counter)
      throws IOException {
    byte[] buffer = new byte[64 * 1024];
    long copied = 0;
    while (copied < limit) {
      int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied));
      if (n < 0) {
        break;
      }
      out.write(buffer, 0, n);
      counter.addAndGet(n);
      copied += n;
    }
    return copied;
  }

  private static void pipeQuietly(InputStream in, OutputStream out) {
    try {
      in.transferTo(out);
    } catch (IOException e) {
      // The exchange is over (or the peer is gone): the request body has nowhere to go.
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException | RuntimeException e) {
      // Best effort while shutting down.
    }
  }
}
