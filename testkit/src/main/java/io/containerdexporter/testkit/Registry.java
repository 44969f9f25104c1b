package io.containerdexporter.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real Distribution registry (Debian's {@code docker-registry} 2.8) on 127.0.0.1:(free port),
 * storing into a private temp dir, plain HTTP, no auth. {@link #close()} stops it and deletes the
 * dir.
 *
 * <pre>{@code
 * try (Registry registry = Registry.start()) {
 *     sandbox.importBusybox("src", ContainerdSandbox.BUSYBOX_IMAGE);
 *     String ref = registry.push(sandbox, "src", ContainerdSandbox.BUSYBOX_IMAGE, "library/busybox:1");
 *     sandbox.ctr("--namespace", "dst", "images", "pull", "--plain-http", ref).orThrow();
 * }
 * }</pre>
 */
public final class Registry implements AutoCloseable {
  static final String INSTALL_HINT = "apt-get install -y --no-install-recommends docker-registry";
  static final List<Path> BINARY_CANDIDATES = List.of(Path.of("/usr/bin/docker-registry"));
  static final String TEMP_PREFIX = "ctrd-registry-";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
  private static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final int PORT_ATTEMPTS = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * An image pushed by {@link #pushRandomImage}; {@code reference} is ready for {@code ctr images
   * pull}.
   */
  public record PushedImage(
      String reference,
      String manifestDigest,
      String configDigest,
      String layerDigest,
      long layerSize) {}

  private final Path tempDir;
  private final int port;
  private final Process process;
  private final HttpClient http;
  private final Thread shutdownHook = new Thread(this::stopAndClean, "registry-teardown");
  private boolean closed;

  private Registry(Path tempDir, int port, Process process) {
    this.tempDir = tempDir;
    this.port = port;
    this.process = process;
    // HTTP/1.1 only: the default would offer an h2c upgrade the registry does not speak.
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /**
   * Starts {@code docker-registry serve} and waits until {@code GET /v2/} answers; throws {@link
   * SandboxUnavailableException} if the binary is missing.
   */
  public static Registry start() {
    return start(false);
  }

  /**
   * A registry that answers 401 to every request without the basic-auth credentials {@code
   * user}/{@code secret} (an htpasswd file made with apache2-utils' {@code htpasswd -B}).
   */
  public static Registry startRequiringAuth() {
    return start(true);
  }

  private static Registry start(boolean requireAuth) {
    Path binary =
        BINARY_CANDIDATES.stream()
            .filter(Files::isExecutable)
            .findFirst()
            .or(() -> Preconditions.onPath("docker-registry"))
            .orElseThrow(
                () ->
                    new SandboxUnavailableException(
                        "Registry cannot start because docker-registry "
                            + "is not installed: run `"
                            + INSTALL_HINT
                            + "`."));
    Path tempDir;
    try {
      tempDir = Files.createTempDirectory(Path.of("/tmp"), TEMP_PREFIX);
    } catch (IOException e) {
      throw new SandboxException("cannot create a temp dir for the registry", e);
    }
    SandboxException lastFailure = null;
    // The free port is only free when probed; if another process takes it first, try another one.
    for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
      Registry registry = null;
      try {
        registry = launch(binary, tempDir, freeLoopbackPort(), requireAuth);
        registry.awaitReady();
        return registry;
      } catch (RuntimeException e) {
        lastFailure = e instanceof SandboxException s ? s : new SandboxException(e.getMessage(), e);
        if (registry != null) {
          registry.abandon();
        }
        if (!logOf(tempDir).contains("address already in use")) {
          break;
        }
      }
    }
    deleteTree(tempDir);
    throw lastFailure;
  }

  private static Registry launch(Path binary, Path tempDir, int port, boolean requireAuth) {
    try {
      Path storage = tempDir.resolve("storage");
      Files.createDirectories(storage);
      Path config = tempDir.resolve("registry.yml");
      String yaml = config(storage, "127.0.0.1:" + port);
      if (requireAuth) {
        yaml += htpasswdAuth(tempDir);
      }
      Files.writeString(config, yaml);
      ProcessBuilder builder =
          new ProcessBuilder(binary.toString(), "serve", config.toString())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.to(logFile(tempDir).toFile()));
      // REGISTRY_* variables override the config file (REGISTRY_HTTP_ADDR, ...): none may leak in
      // from the host.
      builder.environment().keySet().removeIf(name -> name.startsWith("REGISTRY_"));
      Registry registry = new Registry(tempDir, port, builder.start());
      Runtime.getRuntime().addShutdownHook(registry.shutdownHook);
      return registry;
    } catch (IOException e) {
      throw new SandboxException("cannot start " + binary + " in " + tempDir, e);
    }
  }

  /**
   * The registry's config: storage and listen address are all that differ from Distribution's
   * defaults.
   */
  static String config(Path storage, String listenAddress) {
    return """
                version: 0.1
                log:
                  level: info
                  formatter: text
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                  maintenance:
                    # No background job that could touch the storage while a test looks at it.
                    uploadpurging:
                      enabled: false
                http:
                  addr: %s
                health:
                  storagedriver:
                    enabled: false
                """
        .formatted(ContainerdConfig.quote(storage), ContainerdConfig.quote(listenAddress));
  }

  /** The registry config's auth section, with its htpasswd file (bcrypt, as Distribution wants). */
  private static String htpasswdAuth(Path tempDir) throws IOException {
    Path htpasswd = tempDir.resolve("htpasswd");
    Path tool =
        Preconditions.onPath("htpasswd")
            .orElseThrow(
                () ->
                    new SandboxUnavailableException(
                        "htpasswd is not installed: run `apt-get install apache2-utils`."));
    Process p =
        new ProcessBuilder(tool.toString(), "-Bbn", "user", "secret")
            .redirectErrorStream(true)
            .start();
    String line = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    try {
      if (p.waitFor() != 0) {
        throw new SandboxException("htpasswd failed: " + line);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxException("interrupted", e);
    }
    Files.writeString(htpasswd, line + "\n");
    return """
        auth:
          htpasswd:
            realm: containerd-exporter-tests
            path: %s
        """
        .formatted(ContainerdConfig.quote(htpasswd));
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new SandboxException(
            "docker-registry exited with "
                + process.exitValue()
                + " before serving "
                + address()
                + "; its log:\n"
                + logOf(tempDir));
      }
      try {
        int status = get("/v2/").statusCode();
        if (status == 200 || status == 401) {
          return;
        }
      } catch (UncheckedIOException e) {
        if (!(e.getCause() instanceof ConnectException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new SandboxException(
            "docker-registry did not answer GET /v2/ on "
                + address()
                + " within "
                + START_TIMEOUT.toMillis()
                + " ms; its log:\n"
                + logOf(tempDir));
      }
      ContainerdDaemon.sleep(Duration.ofMillis(20));
    }
  }

  private static int freeLoopbackPort() {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return probe.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---------------------------------------------------------------- where things are

  /** host:port, the registry part of image references. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  /** {@code address()/repoAndTag}, e.g. {@code 127.0.0.1:41234/library/busybox:1}. */
  public String reference(String repoAndTag) {
    return repoAndTag.startsWith(address() + "/") ? repoAndTag : address() + "/" + repoAndTag;
  }

  public long pid() {
    return process.pid();
  }

  public Path tempDir() {
    return tempDir;
  }

  /** The registry's stdout and stderr (one access log line per request). */
  public Path log() {
    return logFile(tempDir);
  }

  // ---------------------------------------------------------------- content

  /**
   * Pushes {@code localRef} from {@code namespace} through the sandbox's ctr ({@code images tag} +
   * {@code images push --plain-http}) and returns the full remote reference. {@code remoteRef} is a
   * repository and tag in this registry ("library/busybox:1") or already a full reference to it.
   */
  public String push(
      ContainerdSandbox sandbox, String namespace, String localRef, String remoteRef) {
    String reference = reference(remoteRef);
    sandbox
        .ctr("--namespace", namespace, "images", "tag", "--force", localRef, reference)
        .orThrow();
    sandbox.ctr("--namespace", namespace, "images", "push", "--plain-http", reference).orThrow();
    return reference;
  }

  /**
   * Pushes, straight over the registry API, a one-layer image whose layer is a tar of {@code
   * payloadBytes} fresh random bytes. Not through containerd on purpose: containerd shares content
   * across namespaces, so an image that went through the daemon (import, then push) would later be
   * "pulled" there without a byte moving.
   */
  public PushedImage pushRandomImage(String repoAndTag, int payloadBytes) {
    int colon = repoAndTag.lastIndexOf(':');
    if (colon <= 0 || repoAndTag.indexOf('/', colon) >= 0) {
      throw new IllegalArgumentException("expected repository:tag but got " + repoAndTag);
    }
    String repository = repoAndTag.substring(0, colon);
    String tag = repoAndTag.substring(colon + 1);
    RandomLayerImage image = RandomLayerImage.generate(payloadBytes, new SecureRandom());
    uploadBlob(repository, image.layerDigest(), image.layer());
    uploadBlob(repository, image.configDigest(), image.config());
    HttpResponse<String> put =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", RandomLayerImage.MANIFEST_MEDIA_TYPE)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(image.manifest())));
    expectStatus(put, 201, "PUT manifest " + repoAndTag);
    return new PushedImage(
        reference(repoAndTag),
        image.manifestDigest(),
        image.configDigest(),
        image.layerDigest(),
        image.layerSize());
  }

  /**
   * Monolithic upload: POST opens an upload session, one PUT with the digest sends and commits the
   * blob.
   */
  private void uploadBlob(String repository, String digest, byte[] content) {
    HttpResponse<String> opened =
        send(
            HttpRequest.newBuilder(uri("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
    expectStatus(opened, 202, "POST blob upload for " + digest);
    String location =
        opened
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () -> new SandboxException("registry answered an upload POST without Location"));
    URI target = URI.create("http://" + address() + "/").resolve(location);
    String separator = target.getRawQuery() == null ? "?" : "&";
    URI put =
        URI.create(
            target + separator + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));
    HttpResponse<String> committed =
        send(
            HttpRequest.newBuilder(put)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
    expectStatus(committed, 201, "PUT blob " + digest);
  }

  /**
   * The tags of a repository, as {@code GET /v2/<repository>/tags/list} answers; empty if it does
   * not exist.
   */
  public List<String> tags(String repository) {
    HttpResponse<String> response = get("/v2/" + repository + "/tags/list");
    if (response.statusCode() == 404) {
      return List.of();
    }
    expectStatus(response, 200, "GET tags of " + repository);
    try {
      List<String> tags = new ArrayList<>();
      JsonNode list = JSON.readTree(response.body()).path("tags");
      list.forEach(node -> tags.add(node.asText()));
      return tags;
    } catch (IOException e) {
      throw new SandboxException("unreadable tag list: " + response.body(), e);
    }
  }

  private HttpResponse<String> get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  private URI uri(String path) {
    return URI.create("http://" + address() + path);
  }

  private HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return http.send(
          request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SandboxException("interrupted while talking to the registry", e);
    }
  }

  private static void expectStatus(HttpResponse<String> response, int expected, String what) {
    if (response.statusCode() != expected) {
      throw new SandboxException(
          what
              + ": registry answered "
              + response.statusCode()
              + " (expected "
              + expected
              + "): "
              + response.body());
    }
  }

  // ---------------------------------------------------------------- teardown

  /**
   * Stops the registry (SIGTERM, then SIGKILL) and deletes its temp dir. Safe to call twice; never
   * throws.
   */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // Called during JVM shutdown: the hook runs (or ran) anyway.
    }
    stopAndClean();
  }

  private synchronized void stopAndClean() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcess();
    if (process.isAlive()) {
      System.err.println("[testkit] docker-registry " + process.pid() + " survived SIGKILL");
    }
    deleteTree(tempDir);
  }

  /** A failed launch: stop the process but keep the temp dir, which the next attempt reuses. */
  private void abandon() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException alreadyShuttingDown) {
      // nothing to unregister
    }
    stopProcess();
  }

  private void stopProcess() {
    process.destroy();
    try {
      if (!process.waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(STOP_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  private static Path logFile(Path tempDir) {
    return tempDir.resolve("registry.log");
  }

  private static String logOf(Path tempDir) {
    try {
      return Files.readString(logFile(tempDir));
    } catch (IOException e) {
      return "<no log: " + e.getMessage() + ">";
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("[testkit] could not delete " + root + ": " + e.getMessage());
    }
  }
}
