package io.containerdexporter.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.config.WebConfig;
import io.containerdexporter.it.PrometheusServer;
import io.containerdexporter.it.Promtool;
import io.containerdexporter.web.TestCertificates.Issued;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /scrape-config}: what it says follows the exporter's flags and web config, promtool
 * accepts it as served, and the real Prometheus, given the files its placeholders name, scrapes an
 * exporter behind TLS, a required client certificate and basic auth with it.
 */
class ScrapeConfigTest {

  @TempDir Path dir;

  @Test
  void aPlainExporterGetsAPlainHttpJobWithItsPathIntervalAndAddress() throws Exception {
    try (SecuredServer s =
        SecuredServer.start(dir, null, "--poll.interval=30s", "--web.telemetry-path=/m")) {
      int port = s.address().getPort();
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + ScrapeConfig.PATH))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
      String yaml = r.body();
      assertTrue(yaml.contains("\n  scrape_interval: 30s\n  scrape_timeout: 10s\n"), yaml);
      assertTrue(yaml.contains("\n  metrics_path: '/m'\n"), yaml);
      assertTrue(yaml.contains("\n  scheme: http\n"), yaml);
      assertTrue(yaml.contains("\n  - targets: ['127.0.0.1:" + port + "']\n"), yaml);
      assertFalse(yaml.contains("tls_config"), yaml);
      assertFalse(yaml.contains("basic_auth"), yaml);
      assertPromtoolAccepts(yaml);
    }
  }

  @Test
  void anIntervalUnderTenSecondsIsAlsoTheTimeoutAndMillisecondsAreKept() {
    String yaml =
        new ScrapeConfig("/metrics", Duration.ofMillis(1500), false, () -> WebConfig.empty())
            .render("node:9338", WebConfig.empty());
    assertTrue(yaml.contains("\n  scrape_interval: 1500ms\n  scrape_timeout: 1500ms\n"), yaml);
    assertPromtoolAccepts(yaml);
  }

  @Test
  void theTargetIsTheHostTheClientAskedForElseTheAddressTheRequestCameIn() throws Exception {
    InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 9338);
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 9338);
    assertEquals("node-1.example:9338", ScrapeConfig.target("node-1.example:9338", v4));
    assertEquals("[fd00::5]:9338", ScrapeConfig.target("[fd00::5]:9338", v4));
    assertEquals("10.0.0.5:9338", ScrapeConfig.target(null, v4));
    assertEquals("10.0.0.5:9338", ScrapeConfig.target("x']\nscheme: http #", v4), "not YAML");
    assertEquals("[0:0:0:0:0:0:0:1]:9338", ScrapeConfig.target("", v6));
    assertEquals("'it''s'", ScrapeConfig.quote("it's"));
  }

  @Test
  void realPrometheusScrapesATlsClientCertAndBasicAuthExporterWithWhatIsServed() throws Exception {
    Issued ca = TestCertificates.ca("Scrape config CA").write(dir, "ca");
    TestCertificates.server(ca).write(dir, "server");
    Issued client = TestCertificates.client(ca, "prometheus").write(dir, "client");
    String web =
        """
        tls_server_config:
          cert_file: server.crt
          key_file: server.key
          client_auth_type: RequireAndVerifyClientCert
          client_ca_file: ca.crt
        basic_auth_users:
          alice: %s
        """
            .formatted(WebAuthTest.ALICE_HASH);
    try (SecuredServer s = SecuredServer.start(dir, web, "--poll.interval=1s")) {
      int port = s.address().getPort();
      HttpClient https =
          HttpClient.newBuilder().sslContext(client.clientContext(ca.cert())).build();
      String auth =
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(
                      ("alice:" + WebAuthTest.ALICE_PASSWORD).getBytes(StandardCharsets.UTF_8));
      HttpResponse<String> r =
          https.send(
              HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + port + ScrapeConfig.PATH))
                  .header("Authorization", auth)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), r.body());
      String yaml = r.body();
      assertTrue(yaml.contains("\n  scheme: https\n"), yaml);
      assertTrue(yaml.contains("client_auth_type RequireAndVerifyClientCert"), yaml);
      assertTrue(yaml.contains("\n    username: PLACEHOLDER\n"), yaml);
      assertFalse(yaml.contains("alice"), "no user name from the web config");
      assertFalse(yaml.contains(WebAuthTest.ALICE_HASH), "never the hash");
      assertTrue(yaml.contains("\n  - targets: ['127.0.0.1:" + port + "']\n"), yaml);
      assertPromtoolAccepts(yaml);

      // Prometheus' side: the placeholders' files, and the user
      Files.writeString(dir.resolve("password"), WebAuthTest.ALICE_PASSWORD);
      String filled =
          yaml.replace(ScrapeConfig.FILES, dir + "/")
              .replace("username: PLACEHOLDER", "username: alice");
      String job = filled.substring(filled.indexOf("\nscrape_configs:\n") + 17);
      try (PrometheusServer prometheus =
          PrometheusServer.withScrapeConfigs(
              job, "up{job=\"containerd-exporter\"} == 1", 1, Duration.ofSeconds(30))) {
        assertEquals(
            "0",
            prometheus
                .query("containerd_up{job=\"containerd-exporter\"}")
                .path(0)
                .path("value")
                .path(1)
                .asText(),
            "a scrape got through TLS, the client certificate and basic auth: " + prometheus.log());
      }
    }
  }

  private void assertPromtoolAccepts(String yaml) {
    try {
      Path file = Files.writeString(Files.createTempFile(dir, "prometheus", ".yml"), yaml);
      Promtool.Result check =
          Promtool.run(dir, "check", "config", "--syntax-only", file.toString());
      assertEquals(0, check.exitCode(), check.output() + "\n" + yaml);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
