package io.containerdexporter.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed exporter-toolkit web config ({@code web-config.yml}): every key that format has, with
 * the same defaults. Paths are already resolved against the file's directory; nothing here has been
 * read from disk beyond the YAML itself.
 *
 * @param tls {@code tls_server_config}, empty when the file configures no TLS
 * @param http {@code http_server_config}
 * @param users {@code basic_auth_users}: user name to bcrypt hash; empty for no auth
 * @param rateLimit {@code rate_limit}, empty when its interval is 0 or missing
 */
public record WebConfig(
    Optional<Tls> tls, Http http, Map<String, String> users, Optional<RateLimit> rateLimit) {

  public WebConfig {
    users = Map.copyOf(users);
  }

  /** An empty file: plain HTTP, no auth, no limit. */
  public static WebConfig empty() {
    return new WebConfig(
        Optional.empty(), new Http(true, false, Map.of()), Map.of(), Optional.empty());
  }

  /** The files this config names, so a change to any of them (a rotated certificate) reloads it. */
  public List<Path> referencedFiles() {
    return tls.map(Tls::files).orElse(List.of());
  }

  /** A PEM text, given either inline or as a file. */
  public sealed interface Pem permits Pem.File, Pem.Inline {
    /** Where it comes from, for an error line: the key, never the (possibly secret) text. */
    String key();

    record File(String key, Path path) implements Pem {}

    record Inline(String key, String text) implements Pem {}
  }

  /**
   * @param cert the server's certificate chain ({@code cert} or {@code cert_file})
   * @param key its private key ({@code key} or {@code key_file})
   * @param clientCa CAs client certificates are verified against ({@code client_ca}/{@code
   *     client_ca_file}); empty: the JDK's default trust store, as Go falls back to system roots
   * @param clientAuth {@code client_auth_type}
   * @param clientAllowedSans client certificates must carry one of these SANs (DNS, IP, e-mail,
   *     URI); empty for any
   * @param minVersion lowest TLS version, as the JDK names it ({@code TLSv1.2})
   * @param maxVersion highest TLS version
   * @param cipherSuites TLS 1.2 cipher suites in order; empty for the JDK's defaults. As in Go, TLS
   *     1.3 suites are not configurable.
   * @param curves named groups in order (JDK names: {@code secp256r1}, {@code x25519})
   * @param preferServerCipherSuites whether the server's order wins
   */
  public record Tls(
      Pem cert,
      Pem key,
      Optional<Pem> clientCa,
      ClientAuth clientAuth,
      List<String> clientAllowedSans,
      String minVersion,
      String maxVersion,
      List<String> cipherSuites,
      List<String> curves,
      boolean preferServerCipherSuites) {

    public Tls {
      clientAllowedSans = List.copyOf(clientAllowedSans);
      cipherSuites = List.copyOf(cipherSuites);
      curves = List.copyOf(curves);
    }

    List<Path> files() {
      return java.util.stream.Stream.of(Optional.of(cert), Optional.of(key), clientCa)
          .flatMap(Optional::stream)
          .filter(p -> p instanceof Pem.File)
          .map(p -> ((Pem.File) p).path())
          .toList();
    }
  }

  /** Go's tls.ClientAuthType, under exporter-toolkit's names. */
  public enum ClientAuth {
    NO_CLIENT_CERT("NoClientCert", false, false),
    REQUEST_CLIENT_CERT("RequestClientCert", false, false),
    REQUIRE_ANY_CLIENT_CERT("RequireAnyClientCert", true, false),
    VERIFY_CLIENT_CERT_IF_GIVEN("VerifyClientCertIfGiven", false, true),
    REQUIRE_AND_VERIFY_CLIENT_CERT("RequireAndVerifyClientCert", true, true);

    private final String yamlName;
    private final boolean required;
    private final boolean verified;

    ClientAuth(String yamlName, boolean required, boolean verified) {
      this.yamlName = yamlName;
      this.required = required;
      this.verified = verified;
    }

    public String yamlName() {
      return yamlName;
    }

    /** The handshake fails without a client certificate. */
    public boolean required() {
      return required;
    }

    /** A client certificate given must chain to the client CAs. */
    public boolean verified() {
      return verified;
    }

    static Optional<ClientAuth> parse(String name) {
      if (name.isEmpty()) {
        return Optional.of(NO_CLIENT_CERT);
      }
      if (name.equals("RequireClientCert")) { // exporter-toolkit keeps this old spelling
        return Optional.of(REQUIRE_ANY_CLIENT_CERT);
      }
      for (ClientAuth a : values()) {
        if (a.yamlName.equals(name)) {
          return Optional.of(a);
        }
      }
      return Optional.empty();
    }
  }

  /**
   * @param http2 {@code http2}: true by default; the JDK's server speaks HTTP/1.1 only, so true
   *     cannot be honoured (clients negotiate HTTP/1.1)
   * @param http2Set whether the file set {@code http2} at all (then the exporter says it can't)
   * @param headers {@code headers}: extra response headers from exporter-toolkit's allow-list
   */
  public record Http(boolean http2, boolean http2Set, Map<String, String> headers) {
    public Http {
      headers = Map.copyOf(headers);
    }
  }

  /**
   * One token bucket for the whole server, before auth: {@code burst} requests at once, refilled
   * one per {@code interval}; beyond it 429.
   */
  public record RateLimit(Duration interval, int burst) {}
}
