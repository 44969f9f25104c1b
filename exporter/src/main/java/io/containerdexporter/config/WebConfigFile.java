package io.containerdexporter.config;

import io.containerdexporter.config.WebConfig.ClientAuth;
import io.containerdexporter.config.WebConfig.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads an exporter-toolkit {@code web-config.yml} strictly, as toolkit's {@code UnmarshalStrict}
 * does: an unknown key, a value of the wrong type, an unknown TLS version, cipher, curve or client
 * auth type, a header outside the allow-list, or a user whose password is not a bcrypt hash is an
 * error naming the file and the key. Certificates and keys are not read here (that is the web
 * side's job, with the same error shape).
 */
public final class WebConfigFile {

  /** A web config is small; a bigger file is a mistake (or an attack on the parser). */
  static final int MAX_BYTES = 1 << 20;

  private static final Map<String, String> TLS_VERSIONS =
      Map.of("TLS10", "TLSv1", "TLS11", "TLSv1.1", "TLS12", "TLSv1.2", "TLS13", "TLSv1.3");
  private static final List<String> VERSION_ORDER =
      List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

  /** Go's curve names (crypto/tls CurveID.String) to the JDK's named groups. */
  private static final Map<String, String> CURVES =
      Map.of(
          "CurveP256", "secp256r1",
          "CurveP384", "secp384r1",
          "CurveP521", "secp521r1",
          "X25519", "x25519");

  /** exporter-toolkit's header allow-list; an empty list allows any value. */
  private static final Map<String, List<String>> HEADERS =
      Map.of(
          "Strict-Transport-Security", List.of(),
          "X-Content-Type-Options", List.of("nosniff"),
          "X-Frame-Options", List.of("deny", "sameorigin"),
          "X-XSS-Protection", List.of(),
          "Content-Security-Policy", List.of());

  /** {@code $2a$}/{@code $2b$}/{@code $2y$}, a two-digit cost, 22 salt and 31 hash characters. */
  private static final Pattern BCRYPT =
      Pattern.compile("\\$2[abxy]?\\$(\\d\\d)\\$[./A-Za-z0-9]{53}");

  private static final Set<String> TOP =
      Set.of("tls_server_config", "http_server_config", "basic_auth_users", "rate_limit");
  private static final Set<String> TLS_KEYS =
      Set.of(
          "cert",
          "key",
          "client_ca",
          "cert_file",
          "key_file",
          "client_auth_type",
          "client_ca_file",
          "client_allowed_sans",
          "min_version",
          "max_version",
          "cipher_suites",
          "prefer_server_cipher_suites",
          "curve_preferences");
  private static final Set<String> HTTP_KEYS = Set.of("http2", "headers");
  private static final Set<String> RATE_KEYS = Set.of("interval", "burst");

  private final Path file;
  private final Set<String> supportedCiphers;

  private WebConfigFile(Path file, Set<String> supportedCiphers) {
    this.file = file;
    this.supportedCiphers = supportedCiphers;
  }

  /** Reads and validates {@code file}. */
  public static WebConfig read(Path file, Set<String> supportedCiphers) throws WebConfigException {
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_BYTES) {
        throw new WebConfigException(file, "", "larger than " + MAX_BYTES + " bytes");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new WebConfigException(file, "", "no such file");
    } catch (IOException e) {
      throw new WebConfigException(file, "", "cannot read: " + e.getMessage());
    }
    return parse(file, new String(bytes, StandardCharsets.UTF_8), supportedCiphers);
  }

  /** Parses {@code text} as if it were {@code file} (relative paths resolve against its dir). */
  public static WebConfig parse(Path file, String text, Set<String> supportedCiphers)
      throws WebConfigException {
    return new WebConfigFile(file, supportedCiphers).parse(text);
  }

  private WebConfig parse(String text) throws WebConfigException {
    Object root;
    try {
      LoadSettings settings =
          LoadSettings.builder()
              .setAllowDuplicateKeys(false)
              .setMaxAliasesForCollections(20)
              .setAllowRecursiveKeys(false)
              .setCodePointLimit(MAX_BYTES)
              .build();
      root = new Load(settings).loadFromString(text);
    } catch (MarkedYamlEngineException e) {
      String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1)).orElse("");
      throw error("", "not valid YAML: " + oneLine(e.getProblem()) + where);
    } catch (YamlEngineException | IllegalStateException e) {
      throw error("", "not valid YAML: " + oneLine(e.getMessage()));
    }
    if (root == null) {
      return WebConfig.empty();
    }
    Map<String, Object> top = map("", root, TOP);
    Optional<WebConfig.Tls> tls =
        top.containsKey("tls_server_config")
            ? tls(map("tls_server_config", top.get("tls_server_config"), TLS_KEYS))
            : Optional.empty();
    WebConfig.Http http =
        http(
            map("http_server_config", top.getOrDefault("http_server_config", Map.of()), HTTP_KEYS));
    Map<String, String> users = users(top.getOrDefault("basic_auth_users", Map.of()));
    Optional<WebConfig.RateLimit> rate =
        rateLimit(map("rate_limit", top.getOrDefault("rate_limit", Map.of()), RATE_KEYS));
    return new WebConfig(tls, http, users, rate);
  }

  private Optional<WebConfig.Tls> tls(Map<String, Object> t) throws WebConfigException {
    String k = "tls_server_config.";
    Optional<Pem> cert = pem(t, "cert", "cert_file");
    Optional<Pem> key = pem(t, "key", "key_file");
    Optional<Pem> clientCa = pem(t, "client_ca", "client_ca_file");
    String clientAuthName = string(k + "client_auth_type", t.get("client_auth_type"), "");
    boolean enabled =
        cert.isPresent() || key.isPresent() || clientCa.isPresent() || !clientAuthName.isEmpty();
    if (!enabled) {
      // Every key empty, as toolkit's IsEnabled: no TLS (an empty cert_file: "" is "missing").
      if (t.containsKey("cert_file") || t.containsKey("cert")) {
        throw error(k + "cert_file", "missing one of cert or cert_file");
      }
      if (t.containsKey("key_file") || t.containsKey("key")) {
        throw error(k + "key_file", "missing one of key or key_file");
      }
      return Optional.empty();
    }
    if (cert.isEmpty()) {
      throw error(k + "cert_file", "missing one of cert or cert_file");
    }
    if (key.isEmpty()) {
      throw error(k + "key_file", "missing one of key or key_file");
    }
    ClientAuth clientAuth =
        ClientAuth.parse(clientAuthName)
            .orElseThrow(
                () ->
                    error(
                        k + "client_auth_type",
                        "invalid ClientAuth '"
                            + clientAuthName
                            + "'; expected NoClientCert, RequestClientCert, RequireAnyClientCert,"
                            + " VerifyClientCertIfGiven or RequireAndVerifyClientCert"));
    if (clientCa.isPresent() && clientAuth == ClientAuth.NO_CLIENT_CERT) {
      throw error(
          k + "client_ca_file", "client CA's have been configured without a Client Auth Policy");
    }
    String min = version(k + "min_version", t.get("min_version"), "TLSv1.2");
    String max = version(k + "max_version", t.get("max_version"), "TLSv1.3");
    if (VERSION_ORDER.indexOf(min) > VERSION_ORDER.indexOf(max)) {
      throw error(k + "max_version", "lower than min_version");
    }
    List<String> ciphers = new ArrayList<>();
    for (String c : strings(k + "cipher_suites", t.get("cipher_suites"))) {
      if (!supportedCiphers.contains(c)) {
        throw error(k + "cipher_suites", "unknown cipher: " + c);
      }
      if (!c.startsWith("TLS_AES_") && !c.startsWith("TLS_CHACHA20_")) {
        ciphers.add(c); // as in Go, TLS 1.3 suites are always on and not configurable
      }
    }
    List<String> curves = new ArrayList<>();
    for (String c : strings(k + "curve_preferences", t.get("curve_preferences"))) {
      String jdk = CURVES.get(c);
      if (jdk == null) {
        throw error(
            k + "curve_preferences",
            "unknown curve: " + c + "; expected CurveP256, CurveP384, CurveP521 or X25519");
      }
      curves.add(jdk);
    }
    return Optional.of(
        new WebConfig.Tls(
            cert.get(),
            key.get(),
            clientCa,
            clientAuth,
            strings(k + "client_allowed_sans", t.get("client_allowed_sans")),
            min,
            max,
            ciphers,
            curves,
            bool(k + "prefer_server_cipher_suites", t.get("prefer_server_cipher_suites"), true)));
  }

  /** Inline or file, not both; an empty string counts as not given (as in toolkit). */
  private Optional<Pem> pem(Map<String, Object> t, String inlineKey, String fileKey)
      throws WebConfigException {
    String k = "tls_server_config.";
    String inline = string(k + inlineKey, t.get(inlineKey), "");
    String path = string(k + fileKey, t.get(fileKey), "");
    if (!inline.isEmpty() && !path.isEmpty()) {
      throw error(k + fileKey, "at most one of " + inlineKey + " and " + fileKey + " may be set");
    }
    if (!path.isEmpty()) {
      Path dir = file.toAbsolutePath().getParent();
      return Optional.of(new Pem.File(k + fileKey, dir.resolve(path)));
    }
    return inline.isEmpty() ? Optional.empty() : Optional.of(new Pem.Inline(k + inlineKey, inline));
  }

  private WebConfig.Http http(Map<String, Object> h) throws WebConfigException {
    String k = "http_server_config.";
    Map<String, String> headers = new LinkedHashMap<>();
    Object raw = h.getOrDefault("headers", Map.of());
    if (!(raw instanceof Map<?, ?> given)) {
      throw error(k + "headers", "expected a map of header to value");
    }
    for (Map.Entry<?, ?> e : given.entrySet()) {
      String name = String.valueOf(e.getKey());
      String value = scalar(k + "headers." + name, e.getValue());
      List<String> allowed = HEADERS.get(name);
      if (allowed == null) {
        throw error(k + "headers." + name, "HTTP header \"" + name + "\" can not be configured");
      }
      if (!allowed.isEmpty() && !allowed.contains(value)) {
        throw error(
            k + "headers." + name,
            "invalid value for " + name + ". Expected one of: " + allowed + ", but got: " + value);
      }
      headers.put(name, value);
    }
    return new WebConfig.Http(
        bool(k + "http2", h.get("http2"), true), h.containsKey("http2"), headers);
  }

  private Map<String, String> users(Object raw) throws WebConfigException {
    if (!(raw instanceof Map<?, ?> given)) {
      throw error("basic_auth_users", "expected a map of user name to bcrypt hash");
    }
    Map<String, String> users = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : given.entrySet()) {
      String user = String.valueOf(e.getKey());
      String key = "basic_auth_users." + user;
      String hash = scalar(key, e.getValue());
      var m = BCRYPT.matcher(hash);
      if (!m.matches()) {
        // never echo the value: it may be a plain password pasted by mistake
        throw error(key, "not a bcrypt hash (hashedSecret too short to be a bcrypted password)");
      }
      int cost = Integer.parseInt(m.group(1));
      if (cost < 4 || cost > 31) {
        throw error(key, "bcrypt cost " + cost + " is outside 4-31");
      }
      users.put(user, hash);
    }
    return users;
  }

  private Optional<WebConfig.RateLimit> rateLimit(Map<String, Object> r) throws WebConfigException {
    Duration interval = duration("rate_limit.interval", r.get("interval"));
    Object burstRaw = r.getOrDefault("burst", 0);
    if (!(burstRaw instanceof Integer burst) || burst < 0) {
      throw error("rate_limit.burst", "expected a whole number, 0 or more");
    }
    return interval.isZero()
        ? Optional.empty()
        : Optional.of(new WebConfig.RateLimit(interval, burst));
  }

  private Duration duration(String key, Object raw) throws WebConfigException {
    if (raw == null || Integer.valueOf(0).equals(raw)) {
      return Duration.ZERO;
    }
    try {
      return PrometheusDuration.parse(scalar(key, raw));
    } catch (IllegalArgumentException e) {
      throw error(key, "not a duration; expected " + PrometheusDuration.EXPECTED);
    }
  }

  private String version(String key, Object raw, String byDefault) throws WebConfigException {
    if (raw == null) {
      return byDefault;
    }
    String v = TLS_VERSIONS.get(scalar(key, raw));
    if (v == null) {
      throw error(key, "unknown TLS version: " + raw + "; expected TLS10, TLS11, TLS12 or TLS13");
    }
    return v;
  }

  private Map<String, Object> map(String key, Object raw, Set<String> known)
      throws WebConfigException {
    if (raw == null) {
      return Map.of();
    }
    if (!(raw instanceof Map<?, ?> m)) {
      throw error(key, "expected a map" + (key.isEmpty() ? " at the top level" : ""));
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String name = String.valueOf(e.getKey());
      String full = key.isEmpty() ? name : key + "." + name;
      if (!known.contains(name)) {
        throw error(full, "unknown key");
      }
      out.put(name, e.getValue());
    }
    return out;
  }

  private List<String> strings(String key, Object raw) throws WebConfigException {
    if (raw == null) {
      return List.of();
    }
    if (!(raw instanceof List<?> list)) {
      throw error(key, "expected a list");
    }
    List<String> out = new ArrayList<>();
    for (Object o : list) {
      out.add(scalar(key, o));
    }
    return out;
  }

  private String string(String key, Object raw, String byDefault) throws WebConfigException {
    return raw == null ? byDefault : scalar(key, raw);
  }

  private boolean bool(String key, Object raw, boolean byDefault) throws WebConfigException {
    if (raw == null) {
      return byDefault;
    }
    if (!(raw instanceof Boolean b)) {
      throw error(key, "expected true or false");
    }
    return b;
  }

  private String scalar(String key, Object raw) throws WebConfigException {
    if (raw instanceof Map || raw instanceof List || raw == null) {
      throw error(key, "expected a single value");
    }
    return String.valueOf(raw);
  }

  private WebConfigException error(String key, String reason) {
    return new WebConfigException(file, key, reason);
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
