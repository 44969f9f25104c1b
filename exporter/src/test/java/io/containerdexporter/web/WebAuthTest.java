package io.containerdexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.web.WebMetrics.Rejection;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exporter-toolkit's handler tests, ported: basic auth (401 with WWW-Authenticate, the fake
 * password of unknown users, the cache and its CVE-2022-46146 bypass), the rate limiter (429), and
 * ours: --web.max-requests (503), health endpoints open for probes, 405s, several listen addresses.
 */
class WebAuthTest {

  static final String ALICE_PASSWORD = "alice123";
  static final String ALICE_HASH = hash(ALICE_PASSWORD, 6);
  static final String BOB_HASH = hash("bob-secret", 6);

  private static final String USERS =
      "basic_auth_users:\n  alice: " + ALICE_HASH + "\n  bob: " + BOB_HASH + "\n";

  @TempDir Path dir;
  private final HttpClient http = HttpClient.newHttpClient();
  private SecuredServer running;

  @AfterEach
  void stop() {
    if (running != null) {
      running.close();
    }
  }

  static String hash(String password, int cost) {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, cost);
  }

  private HttpResponse<String> send(String method, String path, Optional<String> auth)
      throws Exception {
    URI uri = URI.create("http://127.0.0.1:" + running.address().getPort() + path);
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.ofString("ignored"));
    auth.ifPresent(a -> b.header("Authorization", a));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, String user, String password) throws Exception {
    return send("GET", path, Optional.of(basic(user, password)));
  }

  static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void basicAuth() throws Exception {
    running = SecuredServer.start(dir, USERS);
    HttpResponse<String> none = send("GET", "/metrics", Optional.empty());
    assertEquals(401, none.statusCode());
    assertEquals(Optional.of("Basic"), none.headers().firstValue("WWW-Authenticate"));
    assertEquals(200, get("/metrics", "alice", ALICE_PASSWORD).statusCode());
    assertEquals(401, get("/metrics", "alice", "wrong").statusCode());
    assertEquals(401, get("/metrics", "mallory", ALICE_PASSWORD).statusCode());
    assertEquals(401, get("/", "bob", ALICE_PASSWORD).statusCode());
    assertEquals(401, send("GET", "/metrics", Optional.of("Basic !!!")).statusCode());
    assertEquals(401, send("GET", "/metrics", Optional.of("Bearer x")).statusCode());
    assertEquals(401, send("GET", "/api/v1/top", Optional.empty()).statusCode());
    assertEquals(200, get("/api/v1/top", "alice", ALICE_PASSWORD).statusCode());
    assertEquals(7, running.metrics.rejected(Rejection.UNAUTHORIZED));
    assertTrue(
        get("/metrics", "alice", ALICE_PASSWORD)
            .body()
            .contains(
                "containerd_exporter_http_requests_rejected_total{reason=\"unauthorized\"} 7"));
  }

  @Test
  void unknownUsersCostOneBcryptOfTheUsersCost() {
    BasicAuth auth = new BasicAuth(Map.of("alice", hash("x", 7)));
    assertEquals(7, auth.dummyCost());
    assertFalse(auth.admits(Optional.of(basic("nobody", "x"))));
    // the unknown user's check is cached like any other: one bcrypt per distinct attempt
    assertEquals(1, auth.cachedEntries());
  }

  @Test
  void cacheServesRepeatsAndNeverConfusesCredentials() {
    BasicAuth auth = new BasicAuth(Map.of("alice", ALICE_HASH));
    for (int i = 0; i < 5; i++) {
      assertTrue(auth.admits(Optional.of(basic("alice", ALICE_PASSWORD))));
    }
    assertEquals(1, auth.cachedEntries());
    assertFalse(auth.admits(Optional.of(basic("alice", ALICE_PASSWORD + "x"))));
    assertFalse(auth.admits(Optional.of(basic("alice", ""))));
  }

  /**
   * CVE-2022-46146: the cache key was user + hash + password concatenated, so a crafted user name
   * could hit the cached success of another split. Ours is length-prefixed: no two splits meet.
   */
  @Test
  void cacheKeyCannotBeForgedByMovingBytesBetweenFields() throws Exception {
    String h = ALICE_HASH;
    assertNotEquals(
        BasicAuth.cacheKey("alice", h, ALICE_PASSWORD),
        BasicAuth.cacheKey("alice" + h.substring(0, 1), h.substring(1), ALICE_PASSWORD));
    assertNotEquals(
        BasicAuth.cacheKey("alice", h, ALICE_PASSWORD),
        BasicAuth.cacheKey(
            "alice", h + ALICE_PASSWORD.substring(0, 1), ALICE_PASSWORD.substring(1)));
    running = SecuredServer.start(dir, USERS);
    assertEquals(200, get("/metrics", "alice", ALICE_PASSWORD).statusCode());
    // toolkit's TestByPassBasicAuthVuln: user names built from a cached user, hash and password
    for (String user :
        new String[] {"alice" + ALICE_HASH, "alice" + ALICE_HASH + ALICE_PASSWORD, "alic", ""}) {
      assertEquals(401, get("/metrics", user, ALICE_PASSWORD).statusCode(), user);
      assertEquals(401, get("/metrics", user, "").statusCode(), user);
    }
  }

  @Test
  void rateLimitAnswers429BeforeAuth() throws Exception {
    running = SecuredServer.start(dir, USERS + "rate_limit:\n  interval: 1h\n  burst: 2\n");
    assertEquals(200, get("/metrics", "alice", ALICE_PASSWORD).statusCode());
    assertEquals(401, get("/metrics", "alice", "wrong").statusCode());
    HttpResponse<String> limited = get("/metrics", "alice", ALICE_PASSWORD);
    assertEquals(429, limited.statusCode());
    assertEquals(1, running.metrics.rejected(Rejection.RATE_LIMIT));
  }

  @Test
  void healthEndpointsCanBeLeftOpenForProbes() throws Exception {
    running =
        SecuredServer.start(
            dir, USERS + "rate_limit:\n  interval: 1h\n  burst: 1\n", "--web.health.skip-auth");
    for (int i = 0; i < 3; i++) {
      assertEquals(200, send("GET", "/-/healthy", Optional.empty()).statusCode());
      assertEquals(503, send("GET", "/-/ready", Optional.empty()).statusCode()); // not ready yet
    }
    assertEquals(401, send("GET", "/metrics", Optional.empty()).statusCode());
    assertEquals(429, send("GET", "/", Optional.empty()).statusCode());
  }

  @Test
  void healthEndpointsAreProtectedByDefault() throws Exception {
    running = SecuredServer.start(dir, USERS);
    assertEquals(401, send("GET", "/-/healthy", Optional.empty()).statusCode());
    assertEquals(200, get("/-/healthy", "bob", "bob-secret").statusCode());
  }

  @Test
  void methodsOtherThanGetAndHeadAre405WithoutEcho() throws Exception {
    running = SecuredServer.start(dir, null);
    for (String method : new String[] {"TRACE", "POST", "PUT", "DELETE", "OPTIONS"}) {
      HttpResponse<String> r = send(method, "/metrics", Optional.of("Basic c2VjcmV0"));
      assertEquals(405, r.statusCode(), method);
      assertFalse(r.body().contains("c2VjcmV0"), r.body());
      assertEquals(Optional.of("GET, HEAD"), r.headers().firstValue("Allow"));
    }
  }

  @Test
  void scrapesBeyondMaxRequestsAre503AtOnce() throws Exception {
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    PrometheusRegistry registry = new PrometheusRegistry();
    registry.register(
        (MultiCollector)
            () -> {
              entered.countDown();
              try {
                release.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return MetricSnapshots.of();
            });
    running = SecuredServer.start(dir, null, registry, "--web.max-requests=1");
    CompletableFuture<HttpResponse<String>> slow =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + running.address().getPort() + "/metrics"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertTrue(entered.await(60, TimeUnit.SECONDS));
    HttpResponse<String> over = send("GET", "/metrics", Optional.empty());
    assertEquals(503, over.statusCode());
    assertEquals(200, send("GET", "/-/healthy", Optional.empty()).statusCode());
    release.countDown();
    assertEquals(200, slow.get(60, TimeUnit.SECONDS).statusCode());
    assertEquals(1, running.metrics.rejected(Rejection.MAX_REQUESTS));
  }

  @Test
  void listensOnEveryAddress() throws Exception {
    running =
        SecuredServer.start(
            dir, null, "--web.listen-address=127.0.0.1:0", "--web.listen-address=[::1]:0");
    assertEquals(2, running.server.addresses().size());
    for (var a : running.server.addresses()) {
      String host = a.getAddress().getHostAddress().contains(":") ? "[::1]" : "127.0.0.1";
      URI uri = URI.create("http://" + host + ":" + a.getPort() + "/-/healthy");
      assertEquals(
          200,
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode(),
          uri.toString());
    }
  }
}
