package io.containerdexporter.web;

import io.containerdexporter.config.WebConfig;
import io.containerdexporter.config.WebConfigException;
import io.containerdexporter.config.WebConfigFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;
import javax.net.ssl.SSLContext;

/**
 * Holds the web policy in force and re-reads {@code --web.config.file} when it, or a certificate,
 * key or CA file it names, changes (a content digest checked every second), so certificates rotate
 * without a restart. exporter-toolkit re-reads the file on every request; here the check runs on
 * its own thread so a scrape never touches the disk. A new file that can't be used keeps the old
 * policy and is logged once (until it changes again); so is a change that needs a restart (TLS
 * switched on or off, other curves).
 */
public final class WebConfigWatcher implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(WebConfigWatcher.class.getName());
  static final Duration CHECK_EVERY = Duration.ofSeconds(1);

  private final Optional<Path> file;
  private final Clock clock;
  private final AtomicReference<WebPolicy> current;
  private final boolean tlsAtStart;
  private volatile boolean lastReloadOk = true;
  private volatile double lastSuccessSeconds;
  private byte[] lastDigest;
  private ScheduledExecutorService checker;

  private WebConfigWatcher(Optional<Path> file, Clock clock, WebPolicy initial, byte[] digest) {
    this.file = file;
    this.clock = clock;
    this.current = new AtomicReference<>(initial);
    this.tlsAtStart = initial.tls().isPresent();
    this.lastDigest = digest;
    this.lastSuccessSeconds = clock.millis() / 1000.0;
  }

  /**
   * Reads the file once, strictly: any problem is an exception naming the file and key (the
   * exporter then exits 2).
   */
  public static WebConfigWatcher open(Optional<Path> file, Clock clock) throws WebConfigException {
    if (file.isEmpty()) {
      return new WebConfigWatcher(file, clock, WebPolicy.open(), new byte[0]);
    }
    WebConfig config = WebConfigFile.read(file.get(), supportedCiphers());
    WebPolicy policy = build(file.get(), config);
    applyCurvesAtStart(config);
    if (config.http().http2Set() && config.http().http2()) {
      LOG.warning(
          file.get()
              + ": http_server_config.http2: the JDK's HTTP server speaks HTTP/1.1 only; clients"
              + " negotiate HTTP/1.1 (ALPN offers no h2)");
    }
    return new WebConfigWatcher(file, clock, policy, digest(file.get(), config));
  }

  /** Starts checking the file for changes (nothing to do without a file). */
  public void start() {
    if (file.isEmpty()) {
      return;
    }
    checker =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "web-config-reload");
              t.setDaemon(true);
              return t;
            });
    long ms = CHECK_EVERY.toMillis();
    checker.scheduleWithFixedDelay(this::checkNow, ms, ms, TimeUnit.MILLISECONDS);
  }

  WebPolicy policy() {
    return current.get();
  }

  /** Whether the server speaks TLS: fixed at start, as with exporter-toolkit. */
  public boolean tls() {
    return tlsAtStart;
  }

  boolean lastReloadOk() {
    return lastReloadOk;
  }

  double lastSuccessSeconds() {
    return lastSuccessSeconds;
  }

  /** One check: reload if the file or a file it names changed. */
  synchronized void checkNow() {
    Path path = file.orElseThrow();
    WebConfig config;
    byte[] digest;
    try {
      config = WebConfigFile.read(path, supportedCiphers());
      digest = digest(path, config);
    } catch (WebConfigException e) {
      byte[] raw = rawDigest(path);
      if (!Arrays.equals(raw, lastDigest)) {
        lastDigest = raw;
        failed(e.getMessage());
      }
      return;
    }
    if (Arrays.equals(digest, lastDigest)) {
      return;
    }
    lastDigest = digest;
    try {
      WebPolicy next = build(path, config);
      if (next.tls().isPresent() != tlsAtStart) {
        failed(
            path
                + ": tls_server_config: switching TLS "
                + (tlsAtStart ? "off" : "on")
                + " needs a restart");
        return;
      }
      if (!next.config()
          .tls()
          .map(WebConfig.Tls::curves)
          .equals(policy().config().tls().map(WebConfig.Tls::curves))) {
        LOG.warning(
            path
                + ": tls_server_config.curve_preferences: applied at start only; restart to change");
      }
      current.set(next);
      lastReloadOk = true;
      lastSuccessSeconds = clock.millis() / 1000.0;
      LOG.info("reloaded web config " + path);
    } catch (WebConfigException e) {
      failed(e.getMessage());
    }
  }

  private void failed(String why) {
    lastReloadOk = false;
    LOG.warning("web config not reloaded, keeping the previous one: " + why);
  }

  private static WebPolicy build(Path path, WebConfig config) throws WebConfigException {
    Optional<TlsMaterial> tls = Optional.empty();
    if (config.tls().isPresent()) {
      tls = Optional.of(TlsMaterial.load(path, config.tls().get()));
    }
    return WebPolicy.of(config, tls);
  }

  /**
   * Java 17 has no per-connection named groups: {@code jdk.tls.namedGroups} is read once, when TLS
   * first initialises. So curve_preferences applies to the whole process, from the start.
   */
  private static void applyCurvesAtStart(WebConfig config) {
    config
        .tls()
        .filter(t -> !t.curves().isEmpty())
        .filter(t -> System.getProperty("jdk.tls.namedGroups") == null)
        .ifPresent(t -> System.setProperty("jdk.tls.namedGroups", String.join(",", t.curves())));
  }

  static Set<String> supportedCiphers() {
    try {
      return Set.of(SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no default TLS context", e);
    }
  }

  private static byte[] digest(Path path, WebConfig config) {
    MessageDigest sha = sha256();
    sha.update(rawDigest(path));
    for (Path p : config.referencedFiles()) {
      sha.update(rawDigest(p));
    }
    return sha.digest();
  }

  private static byte[] rawDigest(Path path) {
    MessageDigest sha = sha256();
    try {
      sha.update(Files.readAllBytes(path));
    } catch (IOException e) {
      sha.update(
          ("unreadable " + e.getClass().getName())
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    return sha.digest();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  @Override
  public void close() {
    if (checker != null) {
      checker.shutdownNow();
    }
  }
}
