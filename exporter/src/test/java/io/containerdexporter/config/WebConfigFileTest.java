package io.containerdexporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * exporter-toolkit's TestYAMLFiles cases (web/testdata/*.bad.yml and *.good.yml), ported: each bad
 * file is refused with one line naming the file, the key at fault and toolkit's wording of the
 * problem. Certificates are not read here (TlsMaterialTest covers missing and mismatched files).
 */
class WebConfigFileTest {

  private static final Set<String> CIPHERS =
      Set.of(
          "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
          "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
          "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
          "TLS_AES_128_GCM_SHA256");

  /** A file with every key exporter-toolkit has (also the fuzzer's seed). */
  static final String EVERY_KEY =
      """
      tls_server_config:
        cert_file: server.crt
        key: "-----BEGIN PRIVATE KEY-----"
        client_auth_type: RequireAndVerifyClientCert
        client_ca_file: ca.crt
        client_allowed_sans: [one, two]
        min_version: TLS12
        max_version: TLS12
        cipher_suites:
        - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
        - TLS_AES_128_GCM_SHA256
        prefer_server_cipher_suites: false
        curve_preferences: [CurveP256, CurveP384, CurveP521, X25519]
      http_server_config:
        http2: false
        headers:
          X-Frame-Options: deny
          Strict-Transport-Security: max-age=31536000; includeSubDomains
          X-Content-Type-Options: nosniff
          X-XSS-Protection: 1
          Content-Security-Policy: "default-src 'self' *.test.example.net"
      basic_auth_users:
        alice: $2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby
      rate_limit:
        interval: 1s
        burst: 5
      """;

  @TempDir Path dir;

  private WebConfig parse(String yaml) throws WebConfigException {
    return WebConfigFile.parse(dir.resolve("web.yml"), yaml, CIPHERS);
  }

  private WebConfigException refused(String yaml) {
    return assertThrows(WebConfigException.class, () -> parse(yaml));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          junk (invalid structure)      | hWkNKCp3fvIx3jKnsaBI\\nTuEjdwNS8A2vYdFbiKqr                                          | | not valid YAML or expected a map
          junk key                      | tls_server_config:\\n  cert_filse: server.crt                                     | tls_server_config.cert_filse | unknown key
          cert path empty               | tls_server_config:\\n  cert_file: ''\\n  key_file: server.key                    | tls_server_config.cert_file | missing one of cert or cert_file
          cert empty                    | tls_server_config:\\n  cert: ''\\n  key_file: server.key                         | tls_server_config.cert_file | missing one of cert or cert_file
          key path empty                | tls_server_config:\\n  cert_file: server.crt\\n  key_file: ''                    | tls_server_config.key_file | missing one of key or key_file
          key empty                     | tls_server_config:\\n  cert_file: server.crt\\n  key: ''                         | tls_server_config.key_file | missing one of key or key_file
          cert and key path empty       | tls_server_config:\\n  cert_file: ''\\n  key_file: ''\\n  client_auth_type: x     | tls_server_config.cert_file | missing one of cert or cert_file
          invalid ClientAuth            | tls_server_config:\\n  cert_file: s.crt\\n  key_file: s.key\\n  client_auth_type: x | tls_server_config.client_auth_type | invalid ClientAuth
          client CA without policy      | tls_server_config:\\n  cert_file: s.crt\\n  key_file: s.key\\n  client_ca_file: /dev/null | tls_server_config.client_ca_file | client CA's have been configured without a Client Auth Policy
          user list invalid             | basic_auth_users:\\n  john: doe                                                     | basic_auth_users.john | hashedSecret too short to be a bcrypted password
          bad cipher                    | tls_server_config:\\n  cert_file: s.crt\\n  key_file: s.key\\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA2048] | tls_server_config.cipher_suites | unknown cipher
          bad curve                     | tls_server_config:\\n  cert_file: s.crt\\n  key_file: s.key\\n  curve_preferences: [CurveP257] | tls_server_config.curve_preferences | unknown curve
          bad TLS version               | tls_server_config:\\n  cert_file: s.crt\\n  key_file: s.key\\n  min_version: TLS111 | tls_server_config.min_version | unknown TLS version
          min above max                 | tls_server_config:\\n  cert_file: s.crt\\n  key_file: s.key\\n  min_version: TLS13\\n  max_version: TLS12 | tls_server_config.max_version | lower than min_version
          cert inline and file          | tls_server_config:\\n  cert_file: s.crt\\n  cert: x\\n  key_file: s.key       | tls_server_config.cert_file | at most one of cert and cert_file
          header not allowed            | http_server_config:\\n  headers:\\n    Content-Type: foo                         | http_server_config.headers.Content-Type | HTTP header "Content-Type" can not be configured
          header X-Content-Type-Options | http_server_config:\\n  headers:\\n    X-Content-Type-Options: sniff             | http_server_config.headers.X-Content-Type-Options | invalid value for X-Content-Type-Options
          header X-Frame-Options        | http_server_config:\\n  headers:\\n    X-Frame-Options: foo                      | http_server_config.headers.X-Frame-Options | invalid value for X-Frame-Options
          http2 not a boolean           | http_server_config:\\n  http2: maybe                                              | http_server_config.http2 | expected true or false
          rate limit interval           | rate_limit:\\n  interval: soon\\n  burst: 1                                       | rate_limit.interval | not a duration
          rate limit burst              | rate_limit:\\n  interval: 1s\\n  burst: -1                                        | rate_limit.burst | expected a whole number
          duplicate key                 | rate_limit:\\n  burst: 1\\n  burst: 2                                             | | not valid YAML
          unknown top-level key         | tls_config:\\n  cert_file: s.crt                                                  | tls_config | unknown key
          """)
  void badConfigIsOneLineNamingFileAndKey(String name, String yaml, String key, String problem) {
    WebConfigException e = refused(yaml.replace("\\n", "\n"));
    String message = e.getMessage();
    assertTrue(message.startsWith(dir.resolve("web.yml") + ": "), message);
    assertFalse(message.contains("\n"), message);
    assertEquals(key == null ? "" : key, e.key(), message);
    assertTrue(
        List.of(problem.split(" or ")).stream().anyMatch(message::contains)
            || message.contains(problem),
        message);
  }

  @Test
  void aBadPasswordHashIsNeverEchoed() {
    String message = refused("basic_auth_users:\n  john: my-plain-password\n").getMessage();
    assertFalse(message.contains("my-plain-password"), message);
  }

  @Test
  void emptyFileIsPlainHttp() throws Exception {
    WebConfig c = parse("");
    assertTrue(c.tls().isEmpty());
    assertTrue(c.users().isEmpty());
    assertTrue(c.rateLimit().isEmpty());
    assertTrue(c.http().http2());
  }

  @Test
  void tlsDefaultsAreToolkits() throws Exception {
    WebConfig.Tls tls =
        parse("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n").tls().get();
    assertEquals("TLSv1.2", tls.minVersion());
    assertEquals("TLSv1.3", tls.maxVersion());
    assertEquals(WebConfig.ClientAuth.NO_CLIENT_CERT, tls.clientAuth());
    assertTrue(tls.preferServerCipherSuites());
    // relative paths are the config file's directory's, as toolkit's SetDirectory
    assertEquals(
        new WebConfig.Pem.File("tls_server_config.cert_file", dir.resolve("server.crt")),
        tls.cert());
  }

  @Test
  void everyToolkitKeyIsRead() throws Exception {
    WebConfig c = parse(EVERY_KEY);
    WebConfig.Tls tls = c.tls().orElseThrow();
    assertEquals(WebConfig.ClientAuth.REQUIRE_AND_VERIFY_CLIENT_CERT, tls.clientAuth());
    assertEquals(List.of("one", "two"), tls.clientAllowedSans());
    assertEquals("TLSv1.2", tls.maxVersion());
    // TLS 1.3 suites are not configurable (as in Go): only the 1.2 one is kept
    assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"), tls.cipherSuites());
    assertEquals(List.of("secp256r1", "secp384r1", "secp521r1", "x25519"), tls.curves());
    assertFalse(tls.preferServerCipherSuites());
    assertTrue(tls.key() instanceof WebConfig.Pem.Inline);
    assertEquals(5, c.http().headers().size());
    assertFalse(c.http().http2());
    assertEquals(Set.of("alice"), c.users().keySet());
    assertEquals(new WebConfig.RateLimit(Duration.ofSeconds(1), 5), c.rateLimit().orElseThrow());
    assertEquals(List.of(dir.resolve("server.crt"), dir.resolve("ca.crt")), c.referencedFiles());
  }

  @Test
  void rateLimitIntervalZeroIsNoLimit() throws Exception {
    assertTrue(parse("rate_limit:\n  interval: 0\n  burst: 0\n").rateLimit().isEmpty());
  }

  @Test
  void missingFileNamesIt() {
    WebConfigException e =
        assertThrows(
            WebConfigException.class, () -> WebConfigFile.read(dir.resolve("somefile"), CIPHERS));
    assertEquals(dir.resolve("somefile") + ": no such file", e.getMessage());
  }

  @Test
  void oversizedFileIsRefusedUnread() throws Exception {
    Path big = dir.resolve("big.yml");
    Files.write(big, new byte[WebConfigFile.MAX_BYTES + 1]);
    assertTrue(
        assertThrows(WebConfigException.class, () -> WebConfigFile.read(big, CIPHERS))
            .getMessage()
            .contains("larger than"));
  }

  @Test
  void aliasBombIsRefused() {
    String bomb =
        "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n"
            + "d: &d [*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d]\n";
    assertTrue(refused(bomb).getMessage().contains("not valid YAML"), bomb);
  }
}
