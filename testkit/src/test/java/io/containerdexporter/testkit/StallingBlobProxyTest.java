package io.containerdexporter.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The proxy against an in-process fake registry: loopback only, no processes. */
class StallingBlobProxyTest {
  private static final String BIG = "sha256:" + "b".repeat(64);
  private static final String SMALL = "sha256:" + "5".repeat(64);
  private static final byte[] BIG_BODY = randomBytes(300_000);
  private static final byte[] SMALL_BODY = randomBytes(1_000);
  private static final long STALL_AT = 100_000;

  private HttpServer upstream;
  private StallingBlobProxy proxy;
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() throws IOException {
    upstream = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    upstream.setExecutor(Executors.newCachedThreadPool());
    upstream.createContext("/v2/r/blobs/", this::serveBlob);
    upstream.createContext(
        "/v2/r/upload",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          respond(exchange, 201, ("got " + body.length).getBytes());
        });
    upstream.start();
    proxy = StallingBlobProxy.start("127.0.0.1:" + upstream.getAddress().getPort(), STALL_AT);
  }

  @AfterEach
  void stop() {
    proxy.close();
    upstream.stop(0);
  }

  private void serveBlob(HttpExchange exchange) throws IOException {
    String digest = exchange.getRequestURI().getPath().substring("/v2/r/blobs/".length());
    byte[] body = digest.equals(BIG) ? BIG_BODY : SMALL_BODY;
    exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
    String range = exchange.getRequestHeaders().getFirst("Range");
    if (range != null && range.startsWith("bytes=") && range.endsWith("-")) {
      int from = Integer.parseInt(range.substring(6, range.length() - 1));
      respond(exchange, 206, Arrays.copyOfRange(body, from, body.length));
    } else {
      respond(exchange, 200, body);
    }
  }

  private static void respond(HttpExchange exchange, int status, byte[] body) throws IOException {
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Test
  void forwardsRangeRequestsStatusHeadersAndBodies() throws Exception {
    HttpResponse<byte[]> response =
        client.send(
            blob(BIG).header("Range", "bytes=1000-").build(),
            HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(206, response.statusCode());
    assertEquals(Optional.of(BIG), response.headers().firstValue("Docker-Content-Digest"));
    assertArrayEquals(Arrays.copyOfRange(BIG_BODY, 1000, BIG_BODY.length), response.body());
    assertEquals(
        List.of(new StallingBlobProxy.Exchange("GET", "/v2/r/blobs/" + BIG, "bytes=1000-", 206)),
        proxy.exchanges());
    assertEquals(BIG_BODY.length - 1000, proxy.bytesServed(BIG));
  }

  @Test
  void forwardsRequestBodies() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(proxied("/v2/r/upload"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(SMALL_BODY))
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(201, response.statusCode());
    assertEquals("got " + SMALL_BODY.length, response.body());
  }

  @Test
  void holdsAnArmedBlobAfterTheStallPointUntilReleased() throws Exception {
    proxy.stallBlob(BIG);
    CompletableFuture<HttpResponse<byte[]>> download =
        client.sendAsync(blob(BIG).build(), HttpResponse.BodyHandlers.ofByteArray());

    StallingBlobProxy.Stall stall = proxy.awaitStalled(Duration.ofSeconds(5));

    assertEquals(new StallingBlobProxy.Stall(BIG, "", 200, BIG_BODY.length, STALL_AT), stall);
    assertEquals(STALL_AT, proxy.bytesServed(BIG));
    Thread.sleep(200);
    assertFalse(download.isDone(), "the body is held back");
    assertEquals(STALL_AT, proxy.bytesServed(BIG));

    proxy.release();

    assertArrayEquals(BIG_BODY, download.get(5, TimeUnit.SECONDS).body());
    assertEquals(BIG_BODY.length, proxy.bytesServed(BIG));
    // Released means disarmed: the next download goes straight through.
    assertArrayEquals(
        BIG_BODY, client.send(blob(BIG).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
    assertEquals(1, proxy.stalls().size());
  }

  @Test
  void bySizeStallsOnlyLargeBlobs() throws Exception {
    proxy.stallBlobsLargerThan(10_000);

    assertArrayEquals(
        SMALL_BODY,
        client.send(blob(SMALL).build(), HttpResponse.BodyHandlers.ofByteArray()).body());
    CompletableFuture<HttpResponse<byte[]>> big =
        client.sendAsync(blob(BIG).build(), HttpResponse.BodyHandlers.ofByteArray());

    assertEquals(BIG, proxy.awaitStalled(Duration.ofSeconds(5)).digest());
    proxy.release();
    assertArrayEquals(BIG_BODY, big.get(5, TimeUnit.SECONDS).body());
  }

  @Test
  void abortCutsTheHeldResponseOffAndStaysArmed() throws Exception {
    proxy.stallBlob(BIG);
    CompletableFuture<HttpResponse<byte[]>> first =
        client.sendAsync(blob(BIG).build(), HttpResponse.BodyHandlers.ofByteArray());
    proxy.awaitStalled(Duration.ofSeconds(5));

    proxy.abortStalled();

    ExecutionException failed =
        assertThrows(ExecutionException.class, () -> first.get(5, TimeUnit.SECONDS));
    assertTrue(failed.getCause() instanceof IOException, failed.toString());
    // A resumed download (what containerd sends when an ingest survived) stalls again, K bytes
    // further on.
    CompletableFuture<HttpResponse<byte[]>> resumed =
        client.sendAsync(
            blob(BIG).header("Range", "bytes=" + STALL_AT + "-").build(),
            HttpResponse.BodyHandlers.ofByteArray());
    StallingBlobProxy.Stall second = proxy.awaitStalls(2, Duration.ofSeconds(5)).get(1);
    assertEquals(
        new StallingBlobProxy.Stall(
            BIG, "bytes=" + STALL_AT + "-", 206, BIG_BODY.length - STALL_AT, STALL_AT),
        second);
    proxy.release();
    assertArrayEquals(
        Arrays.copyOfRange(BIG_BODY, (int) STALL_AT, BIG_BODY.length),
        resumed.get(5, TimeUnit.SECONDS).body());
  }

  @Test
  void closeEndsHeldDownloads() throws Exception {
    proxy.stallBlob(BIG);
    CompletableFuture<HttpResponse<byte[]>> download =
        client.sendAsync(blob(BIG).build(), HttpResponse.BodyHandlers.ofByteArray());
    proxy.awaitStalled(Duration.ofSeconds(5));

    long started = System.nanoTime();
    proxy.close();

    assertTrue(
        Duration.ofNanos(System.nanoTime() - started).toMillis() < 2_000,
        "close does not wait for release");
    assertThrows(ExecutionException.class, () -> download.get(5, TimeUnit.SECONDS));
  }

  @Test
  void awaitStalledTimesOutWithWhatItSaw() {
    SandboxException e =
        assertThrows(SandboxException.class, () -> proxy.awaitStalled(Duration.ofMillis(50)));
    assertTrue(
        e.getMessage().contains("0 of 1 blob downloads reached their stall point"), e.getMessage());
  }

  @Test
  void onlyBlobGetsAreBlobDownloads() {
    assertEquals(
        Optional.of(BIG),
        StallingBlobProxy.blobDigest(head("GET /v2/a/b/blobs/" + BIG + " HTTP/1.1")));
    assertEquals(
        Optional.of(BIG),
        StallingBlobProxy.blobDigest(head("GET /v2/a/blobs/" + BIG + "?x=1 HTTP/1.1")));
    assertEquals(
        Optional.empty(),
        StallingBlobProxy.blobDigest(head("HEAD /v2/a/blobs/" + BIG + " HTTP/1.1")));
    assertEquals(
        Optional.empty(),
        StallingBlobProxy.blobDigest(head("GET /v2/a/manifests/" + BIG + " HTTP/1.1")));
    assertEquals(
        Optional.empty(), StallingBlobProxy.blobDigest(head("GET /v2/a/blobs/uploads/x HTTP/1.1")));
  }

  private static HttpMessageHead head(String startLine) {
    return HttpMessageHead.parse(startLine + "\r\nHost: h\r\n");
  }

  private HttpRequest.Builder blob(String digest) {
    return HttpRequest.newBuilder(proxied("/v2/r/blobs/" + digest)).GET();
  }

  private URI proxied(String path) {
    return URI.create("http://" + proxy.address() + path);
  }

  private static byte[] randomBytes(int size) {
    byte[] bytes = new byte[size];
    new Random(size).nextBytes(bytes);
    return bytes;
  }
}
