package io.containerdexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.config.WebConfigException;
import io.containerdexporter.web.TestCertificates.Issued;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * exporter-toolkit's TestServerBehaviour and TestConfigReloading, ported: TLS versions, cipher
 * suites, the client-certificate modes, allowed SANs, headers, inline PEM, and certificates that
 * rotate under a running server. Every certificate is generated here.
 */
class WebTlsTest {

  private static final String SERVER_FILES = "  cert_file: server.crt\n  key_file: server.key\n";

  @TempDir Path dir;
  private Issued ca;
  private Issued server;
  private SecuredServer running;

  @BeforeEach
  void certificates() throws Exception {
    ca = TestCertificates.ca("Test CA").write(dir, "ca");
    server = TestCertificates.server(ca).write(dir, "server");
  }

  @AfterEach
  void stop() {
    if (running != null) {
      running.close();
    }
  }

  private SecuredServer start(String tlsExtra) throws IOException {
    running = SecuredServer.start(dir, "tls_server_config:\n" + SERVER_FILES + tlsExtra);
    return running;
  }

  private SSLContext anonymous() throws Exception {
    return TestCertificates.anonymousClient(ca.cert());
  }

  /** An anonymous client that offers only these versions and (unless null) these suites. */
  private RawHttps.Answer offering(String[] protocols, String[] suites) throws Exception {
    return RawHttps.get(
        anonymous(), running.address(), "/metrics", protocols, suites, Optional.empty());
  }

  private RawHttps.Answer get(SSLContext client) throws IOException {
    return RawHttps.get(client, running.address(), "/metrics");
  }

  @Test
  void servesMetricsOverTls() throws Exception {
    start("");
    RawHttps.Answer a = get(anonymous());
    assertEquals(200, a.status());
    assertTrue(a.response().contains("containerd_up 0"), a.response());
    assertEquals(server.cert(), a.serverCert());
  }

  @Test
  void plainHttpToTheTlsPortGetsNoAnswer() throws Exception {
    start("");
    HttpClient http = HttpClient.newHttpClient();
    URI uri = URI.create("http://127.0.0.1:" + running.address().getPort() + "/metrics");
    assertThrows(
        IOException.class,
        () -> http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()));
  }

  @Test
  void tls11ClientIsRefused() throws Exception {
    start("");
    assertThrows(IOException.class, () -> offering(new String[] {"TLSv1.1"}, null));
  }

  @Test
  void maxVersionTls12RefusesATls13OnlyClient() throws Exception {
    start("  max_version: TLS12\n");
    assertThrows(IOException.class, () -> offering(new String[] {"TLSv1.3"}, null));
    assertEquals(200, offering(new String[] {"TLSv1.2"}, null).status());
  }

  @Test
  void minVersionTls13RefusesATls12Client() throws Exception {
    start("  min_version: TLS13\n");
    assertThrows(IOException.class, () -> offering(new String[] {"TLSv1.2"}, null));
  }

  @Test
  void onlyTheConfiguredCipherSuitesAreNegotiated() throws Exception {
    start(
        "  min_version: TLS12\n  max_version: TLS12\n  cipher_suites:\n"
            + "  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n");
    String[] tls12 = {"TLSv1.2"};
    assertThrows(
        IOException.class,
        () -> offering(tls12, new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"}));
    RawHttps.Answer a =
        offering(
            tls12,
            new String[] {
              "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"
            });
    assertEquals("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", a.cipherSuite());
  }

  @Test
  void requireAndVerifyClientCert() throws Exception {
    start("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n");
    assertThrows(IOException.class, () -> get(anonymous()));
    Issued stranger = forged();
    assertThrows(IOException.class, () -> get(stranger.clientContext(ca.cert())));
    Issued client = TestCertificates.client(ca, "scraper");
    assertEquals(200, get(client.clientContext(ca.cert())).status());
  }

  @Test
  void requireAnyClientCertTakesAnUnverifiedOne() throws Exception {
    start("  client_auth_type: RequireAnyClientCert\n");
    assertThrows(IOException.class, () -> get(anonymous()));
    Issued stranger = TestCertificates.selfSignedClient("stranger");
    assertEquals(200, get(stranger.clientContext(ca.cert())).status());
  }

  @Test
  void verifyClientCertIfGiven() throws Exception {
    start("  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n");
    assertEquals(200, get(anonymous()).status());
    Issued stranger = forged();
    assertThrows(IOException.class, () -> get(stranger.clientContext(ca.cert())));
    assertEquals(200, get(TestCertificates.client(ca, "x").clientContext(ca.cert())).status());
  }

  @Test
  void clientAllowedSans() throws Exception {
    start(
        "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
            + "  client_allowed_sans: [one, test3, two]\n");
    assertEquals(200, get(TestCertificates.client(ca, "test3").clientContext(ca.cert())).status());
    assertThrows(
        IOException.class, () -> get(TestCertificates.client(ca, "bad").clientContext(ca.cert())));
  }

  @Test
  void configuredHeadersOnEveryAnswer() throws Exception {
    running =
        SecuredServer.start(
            dir,
            "tls_server_config:\n"
                + SERVER_FILES
                + "http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                + "    Strict-Transport-Security: max-age=31536000\n"
                + "basic_auth_users:\n  alice: "
                + WebAuthTest.ALICE_HASH
                + "\n");
    RawHttps.Answer refused = get(anonymous());
    assertEquals(401, refused.status());
    assertTrue(refused.hasHeader("X-Frame-Options", "deny"), refused.response());
    assertTrue(refused.hasHeader("Strict-Transport-Security", "max-age=31536000"));
  }

  @Test
  void inlineCertificateAndKey() throws Exception {
    String yaml =
        "tls_server_config:\n  cert: |\n"
            + indent(server.certPem())
            + "  key: |\n"
            + indent(server.keyPem());
    running = SecuredServer.start(dir, yaml);
    assertEquals(server.cert(), get(anonymous()).serverCert());
  }

  @Test
  void rsaKeyInPkcs1() throws Exception {
    Issued rsa = TestCertificates.rsaServer(ca);
    Files.writeString(dir.resolve("server.crt"), rsa.certPem());
    Files.writeString(dir.resolve("server.key"), rsa.traditionalKeyPem());
    assertTrue(rsa.traditionalKeyPem().contains("BEGIN RSA PRIVATE KEY"));
    start("");
    assertEquals(rsa.cert(), get(anonymous()).serverCert());
  }

  @Test
  void missingAndMismatchedFilesNameTheirKey() throws Exception {
    WebConfigException missing =
        SecuredServer.refused(
            dir, "tls_server_config:\n  cert_file: nope.crt\n  key_file: server.key\n");
    assertEquals("tls_server_config.cert_file", missing.key());
    assertTrue(missing.getMessage().contains("no such file"), missing.getMessage());

    Issued other = TestCertificates.server(ca);
    Files.writeString(dir.resolve("other.key"), other.keyPem());
    WebConfigException mismatch =
        SecuredServer.refused(
            dir, "tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n");
    assertEquals("tls_server_config.key_file", mismatch.key());
    assertTrue(mismatch.getMessage().contains("does not match"), mismatch.getMessage());

    Files.writeString(
        dir.resolve("junk.key"),
        "-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n");
    WebConfigException junk =
        SecuredServer.refused(
            dir, "tls_server_config:\n  cert_file: server.crt\n  key_file: junk.key\n");
    assertEquals("tls_server_config.key_file", junk.key());
    assertFalse(junk.getMessage().contains("c2VjcmV0"), junk.getMessage());
  }

  @Test
  void rotatedCertificateIsServedOnTheNextConnection() throws Exception {
    start("");
    assertEquals(server.cert(), get(anonymous()).serverCert());
    Issued rotated = TestCertificates.server(ca).write(dir, "server");
    running.watcher.checkNow();
    assertEquals(rotated.cert(), get(anonymous()).serverCert());
    assertTrue(running.watcher.lastReloadOk());
  }

  @Test
  void brokenNewFilesKeepTheOldConfig() throws Exception {
    start("");
    // a key that does not match the certificate: refused, the old pair stays
    Files.writeString(dir.resolve("server.key"), TestCertificates.server(ca).keyPem());
    running.watcher.checkNow();
    assertFalse(running.watcher.lastReloadOk());
    assertEquals(server.cert(), get(anonymous()).serverCert());
    // broken YAML: refused too
    Files.writeString(dir.resolve("web.yml"), "tls_server_config: [\n");
    running.watcher.checkNow();
    assertFalse(running.watcher.lastReloadOk());
    assertEquals(200, get(anonymous()).status());
    // switching TLS off needs a restart
    Files.writeString(dir.resolve("web.yml"), "");
    running.watcher.checkNow();
    assertFalse(running.watcher.lastReloadOk());
    // a good pair again: in force
    Issued fixed = TestCertificates.server(ca).write(dir, "server");
    Files.writeString(dir.resolve("web.yml"), "tls_server_config:\n" + SERVER_FILES);
    running.watcher.checkNow();
    assertTrue(running.watcher.lastReloadOk());
    RawHttps.Answer a = get(anonymous());
    assertNotEquals(server.cert(), a.serverCert());
    assertEquals(fixed.cert(), a.serverCert());
  }

  /**
   * A client certificate from another CA of the same name: the JDK's client presents it (the issuer
   * name matches what the server asks for), and the server must refuse its signature.
   */
  private static Issued forged() throws Exception {
    return TestCertificates.client(TestCertificates.ca("Test CA"), "stranger");
  }

  private static String indent(String pem) {
    return pem.lines().map(l -> "    " + l + "\n").reduce("", String::concat);
  }
}
