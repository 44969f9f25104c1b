package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.containerdexporter.chart.ChartUnderTest;
import io.containerdexporter.chart.KubernetesObjects;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.web.TestCertificates;
import io.containerdexporter.web.TestCertificates.Issued;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's web-config wiring run for real: helm renders the chart with TLS from a
 * kubernetes.io/tls Secret and basic auth, and the exporter jar runs with exactly the DaemonSet's
 * arguments, its Secret volumes laid out the way kubelet writes them (files behind a {@code ..data}
 * symlink that is swapped when the Secret changes). Then kubelet's probes (scheme, path, no
 * credentials) must pass, the ServiceMonitor's scrape (HTTPS, basic auth) must get metrics, and a
 * rotated certificate must be served without a restart.
 */
@ExtendWith(ContainerdExtension.class)
class ChartWebConfigIT {

  private static final String USER = "prometheus";
  private static final String PASSWORD = "correct horse battery staple";

  private final ContainerdSandbox containerd;

  ChartWebConfigIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @Test
  void probesPassScrapesAuthenticateAndACertificateRotatesInPlace(@TempDir Path temp)
      throws Exception {
    Issued ca = TestCertificates.ca("chart test CA");
    Issued first = TestCertificates.server(ca);

    KubernetesObjects objects =
        KubernetesObjects.parse(
            ChartUnderTest.copyInto(temp.resolve("chart")).template(values(temp)));
    Container exporter =
        objects.one(DaemonSet.class).getSpec().getTemplate().getSpec().getContainers().get(0);
    Secret webSecret = objects.ofType(Secret.class).get(0);

    // The pod's volumes, as kubelet projects Secrets: each key a symlink into ..data.
    Map<String, Path> mounts = new LinkedHashMap<>();
    for (VolumeMount m : exporter.getVolumeMounts()) {
      mounts.put(m.getMountPath(), temp.resolve("mounts").resolve(m.getName()));
    }
    Path webDir = mounts.get("/etc/containerd-exporter/web");
    Path tlsDir = mounts.get("/etc/containerd-exporter/tls");
    String webConfig = webSecret.getStringData().get("web-config.yml");
    project(webDir, 1, Map.of("web-config.yml", remap(webConfig, mounts)));
    project(tlsDir, 1, tlsFiles(first, ca));

    int port = ExporterProcess.freePort();
    List<String> command =
        new ArrayList<>(
            List.of(
                ExporterProcess.javaBin(),
                "-XX:+UseSerialGC",
                "-Xmx64m",
                "-jar",
                ExporterProcess.jar().toString()));
    for (String arg : exporter.getArgs()) {
      command.add(localArg(arg, port, mounts));
    }
    Path log = temp.resolve("exporter.log");
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      URI base = URI.create("https://127.0.0.1:" + port);
      HttpClient trusting = client(ca.cert());

      // kubelet: the probes' scheme and path, no credentials.
      for (var probe :
          List.of(
              exporter.getStartupProbe(),
              exporter.getLivenessProbe(),
              exporter.getReadinessProbe())) {
        HTTPGetAction get = probe.getHttpGet();
        assertEquals("HTTPS", get.getScheme());
        URI uri = base.resolve(get.getPath());
        Await.until(
            Duration.ofSeconds(30),
            "probe " + uri + " to pass without credentials",
            () -> status(process, log, trusting, uri, null),
            code -> code == 200);
      }

      // The ServiceMonitor's scrape: scheme https, basic auth.
      URI metrics = base.resolve("/metrics");
      assertEquals(401, status(process, log, trusting, metrics, null));
      assertEquals(401, status(process, log, trusting, metrics, basic(USER, "wrong")));
      HttpResponse<String> scrape = send(trusting, metrics, basic(USER, PASSWORD));
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.body().contains("containerd_up 1"), scrape.body());
      assertEquals(serial(first), served(ca, base));

      // cert-manager renews: kubelet swaps ..data; the exporter serves the new certificate.
      Issued second = TestCertificates.server(ca);
      project(tlsDir, 2, tlsFiles(second, ca));
      Await.until(
          Duration.ofSeconds(20),
          "the renewed certificate to be served",
          () -> served(ca, base),
          serial -> serial.equals(serial(second)));
      assertTrue(process.isAlive(), "no restart: the same process serves the new certificate");
      assertEquals(200, send(client(ca.cert()), metrics, basic(USER, PASSWORD)).statusCode());
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  private Path values(Path temp) throws IOException {
    String hash = OpenBSDBCrypt.generate(PASSWORD.toCharArray(), salt(), 10);
    String content =
        String.join(
            "\n",
            "tls_server_config:",
            "  cert_file: /etc/containerd-exporter/tls/tls.crt",
            "  key_file: /etc/containerd-exporter/tls/tls.key",
            "basic_auth_users:",
            "  " + USER + ": " + hash,
            "");
    Map<String, Object> values =
        Map.of(
            "containerd", Map.of("socket", "/run/containerd/containerd.sock"),
            "webConfig",
                Map.of(
                    "enabled",
                    true,
                    "tls",
                    true,
                    "tlsSecret",
                    "containerd-exporter-tls",
                    "content",
                    content),
            "serviceMonitor", Map.of("enabled", true));
    Path file = temp.resolve("values.yaml");
    new ObjectMapper(new YAMLFactory()).writeValue(file.toFile(), values);
    return file;
  }

  /** The DaemonSet's argument as it applies on this machine: host paths, our port, the mounts. */
  private String localArg(String arg, int port, Map<String, Path> mounts) {
    if (arg.startsWith("--containerd.address=")) {
      return "--containerd.address=" + containerd.socket();
    }
    if (arg.startsWith("--web.listen-address=")) {
      return "--web.listen-address=127.0.0.1:" + port;
    }
    return remap(arg.replace("=/host/", "=/"), mounts);
  }

  private static String remap(String text, Map<String, Path> mounts) {
    String out = text;
    for (Map.Entry<String, Path> m : mounts.entrySet()) {
      out = out.replace(m.getKey() + "/", m.getValue() + "/");
    }
    return out;
  }

  /**
   * Writes {@code files} the way kubelet's atomic writer does: into a fresh timestamped directory,
   * then one rename of the {@code ..data} symlink, each key a symlink through it.
   */
  private static void project(Path dir, int generation, Map<String, String> files)
      throws IOException {
    Files.createDirectories(dir);
    Path version = dir.resolve("..gen_" + generation);
    Files.createDirectory(version);
    for (Map.Entry<String, String> f : files.entrySet()) {
      Files.writeString(version.resolve(f.getKey()), f.getValue());
    }
    Path next = dir.resolve("..data_tmp");
    Files.createSymbolicLink(next, version.getFileName());
    Files.move(next, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
    for (String key : files.keySet()) {
      Path link = dir.resolve(key);
      if (!Files.isSymbolicLink(link)) {
        Files.createSymbolicLink(link, Path.of("..data", key));
      }
    }
  }

  private static Map<String, String> tlsFiles(Issued server, Issued ca) {
    return Map.of("tls.crt", server.certPem(), "tls.key", server.keyPem(), "ca.crt", ca.certPem());
  }

  private static int status(Process process, Path log, HttpClient http, URI uri, String auth) {
    if (!process.isAlive()) {
      throw new IllegalStateException(
          "exporter exited with " + process.exitValue() + ":\n" + readLog(log));
    }
    try {
      return send(http, uri, auth).statusCode();
    } catch (IOException e) {
      return -1; // not listening yet
    }
  }

  private static String readLog(Path log) {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  private static HttpResponse<String> send(HttpClient http, URI uri, String auth)
      throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    try {
      return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  /** The serial of the certificate a new TLS connection is shown. */
  private static BigInteger served(Issued ca, URI base) {
    try {
      HttpResponse<String> response = send(client(ca.cert()), base.resolve("/-/healthy"), null);
      X509Certificate leaf =
          (X509Certificate) response.sslSession().orElseThrow().getPeerCertificates()[0];
      return leaf.getSerialNumber();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger serial(Issued issued) {
    return issued.cert().getSerialNumber();
  }

  /** A client of its own (no pooled connection), trusting only the test CA. */
  private static HttpClient client(X509Certificate ca) throws Exception {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, TestCertificates.trusting(ca).getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(2)).build();
  }

  private static String basic(String user, String password) {
    return "Basic "
        + Base64.getEncoder()
            .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] salt() {
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    return salt;
  }
}
