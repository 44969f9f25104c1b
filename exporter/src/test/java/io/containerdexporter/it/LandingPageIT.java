package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.CriImagePuller;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.Registry;
import io.containerdexporter.testkit.RunOptions;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node page in a real browser (Debian's headless Chromium) against the real containerd: the
 * busy container tops the CPU list; a Kubernetes pod's container (run through CRI, as kubelet does)
 * OOM-killed just before is listed with its pod and namespace, under OOM kills and as its exit; its
 * running sidecar and the pod's sandbox are named as such in the top lists (the containerd id short
 * and second); kubelet's pull of an image its registry does not have is listed with its reason; and
 * a pod name with HTML in it (from the container's label) comes out as text. {@code
 * -Dlanding.update=true} rewrites docs/landing.png from the same page.
 */
@ExtendWith(ContainerdExtension.class)
class LandingPageIT {

  private static final String NS = "page";
  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  private static final String HTML_POD = "<b>evil</b><script>alert(1)</script>";
  private static final String HTML_CONTAINER = "web<img src=x onerror=alert(2)>";
  private static final String EAT_MEMORY = "x=a; while :; do x=$x$x; done";
  private static final long EIGHT_MIB = 8 * 1024 * 1024;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ContainerdSandbox containerd;

  LandingPageIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @Test
  void thePageShowsTheBusyContainerFirstTheOomsTheFailedPullAndEscapesLabels() throws Exception {
    containerd.createNamespace(NS);
    containerd.importBusybox(NS, BUSYBOX);
    containerd.importBusybox(CriClient.K8S_NAMESPACE, BUSYBOX);
    RunOptions kube =
        RunOptions.builder()
            .label("io.kubernetes.pod.namespace", "shop")
            .label("io.kubernetes.pod.name", HTML_POD)
            .label("io.kubernetes.container.name", HTML_CONTAINER)
            .build();
    containerd.run(NS, "idle", BUSYBOX, kube, "sleep", "100000");
    containerd.run(NS, "busy", BUSYBOX, RunOptions.DEFAULTS, "sh", "-c", "while :; do :; done");
    try (Registry registry = Registry.start();
        CriClient cri = CriClient.connect(containerd);
        CriImagePuller kubelet = new CriImagePuller(containerd.socket());
        ExporterProcess exporter =
            ExporterProcess.start(
                containerd.socket(),
                "--poll.interval=1s",
                "--poll.timeout=1s",
                "--pulls.log-file=" + containerd.daemonLog())) {
      Await.until(
          Duration.ofSeconds(30),
          "the exporter subscribed to events and following containerd's log",
          exporter::scrape,
          s ->
              s.value("containerd_exporter_event_stream_up").orElse(0.0) == 1.0
                  && s.value("containerd_exporter_log_lines_total", "result", "parsed")
                      .isPresent());
      Instant before = Instant.now().minusSeconds(1);

      // a pod's container that outgrows its memory limit, run as kubelet runs it
      String pod = cri.runPod("shop", "api-0", UUID.randomUUID().toString());
      String app =
          cri.createContainerWithMemoryLimit(
              pod, "app", 0, BUSYBOX, EIGHT_MIB, "sh", "-c", EAT_MEMORY);
      cri.startContainer(app);
      // and one that keeps running beside it: the top lists name it "sidecar", not by its id
      String sidecar = cri.createContainer(pod, "sidecar", 0, BUSYBOX, "sleep", "100000");
      cri.startContainer(sidecar);
      // and a plain containerd one (no pod)
      containerd.run(
          NS,
          "oom",
          BUSYBOX,
          RunOptions.builder().memoryLimitBytes(EIGHT_MIB).build(),
          "sh",
          "-c",
          EAT_MEMORY);
      // kubelet pulling a tag its registry does not have
      String missing = registry.reference("page/missing:1");
      assertEquals(Status.Code.NOT_FOUND, kubelet.pull(missing).code());

      String url = "http://127.0.0.1:" + exporter.port() + "/";
      JsonNode top =
          Await.until(
              Duration.ofSeconds(30),
              "both OOMs, the OOM-killed exit, the failed pull and both rankings of every task on /api/v1/top",
              () -> topJson(exporter),
              t ->
                  values(t.path("recentOoms"), "id").containsAll(List.of(app, "oom"))
                      && values(t.path("recentExits"), "id").containsAll(List.of(app, "oom"))
                      && values(t.path("recentFailedPulls"), "subject").contains(missing)
                      && "busy".equals(t.path("topCpu").path(0).path("name").asText())
                      // a CPU rate needs two rounds of a task, so the newest rows come later
                      && values(t.path("topCpu"), "name").containsAll(List.of(sidecar, pod))
                      && values(t.path("topMemory"), "name").containsAll(List.of(sidecar, pod)));
      JsonNode sidecarRow = rowOf(top.path("topMemory"), sidecar);
      assertEquals("sidecar", sidecarRow.path("displayName").asText(), sidecarRow.toString());
      assertEquals("kubernetes", sidecarRow.path("kind").asText(), sidecarRow.toString());
      assertEquals(sidecar.substring(0, 12), sidecarRow.path("shortId").asText());
      assertEquals("api-0", sidecarRow.path("pod").asText());
      assertEquals(pod, rowOf(top.path("topMemory"), pod).path("name").asText());
      assertEquals("sandbox", rowOf(top.path("topMemory"), pod).path("kind").asText());

      String dom = chromium("--dump-dom", url);
      List<String> cpuOrder = attributes(section(dom, "top-cpu"), "data-name");
      assertEquals("busy", cpuOrder.get(0), dom);
      assertTrue(cpuOrder.contains("idle"), dom);

      // a pod's containers by their Kubernetes names, the containerd id short and second
      for (String list : List.of("top-cpu", "top-memory")) {
        assertEquals(
            List.of("sidecar " + sidecar.substring(0, 12), "api-0", "shop", "k8s.io"),
            containerCells(section(dom, list), sidecar),
            list);
        assertEquals(
            List.of("pod sandbox " + pod.substring(0, 12), "api-0", "shop", "k8s.io"),
            containerCells(section(dom, list), pod),
            list);
        assertEquals(List.of("busy", "", "", NS), containerCells(section(dom, list), "busy"), list);
        assertFalse(
            Pattern.compile(">[0-9a-f]{64}<").matcher(section(dom, list)).find(),
            "no 64-hex id shown as a name in " + list + ": " + section(dom, list));
      }

      assertPodRow(dom, "recent-ooms", app, "OOM killed", before);
      assertEquals(
          List.of("oom", "", "", NS, "OOM killed"),
          cells(section(dom, "recent-ooms"), "oom").subList(1, 6));
      assertPodRow(dom, "recent-exits", app, "exit code 137 (OOM killed)", before);
      assertEquals(
          "exit code 137 (OOM killed)", cells(section(dom, "recent-exits"), "oom").get(5), dom);

      // time, image, pod, namespace, containerd namespace, reason: containerd logs no pod
      List<String> pull = rowWith(section(dom, "recent-failed-pulls"), missing);
      assertEquals(List.of(missing, "", "", "k8s.io"), pull.subList(1, 5), "pull: " + pull);
      assertTrue(pull.get(5).startsWith("not_found: "), "the pull's reason: " + pull);
      assertRecent(before, pull.get(0));
      assertEquals(
          top.path("recentFailedPulls").path(0).path("reason").asText(),
          pull.get(5).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"),
          "the page and /api/v1/top say the same");

      assertTrue(dom.contains("href=\"/scrape-config\""), "the scrape config is linked");
      assertTrue(
          Pattern.compile("<code>--collector\\.NAME</code> on</th><td><code>[a-z -]*task-stats")
              .matcher(section(dom, "flags"))
              .find(),
          "the enabled collectors in one row: " + section(dom, "flags"));
      // server-rendered: the same rows are in the HTML as served, before any script ran
      String served = exporter.get("/").body();
      assertEquals(
          List.of("sidecar " + sidecar.substring(0, 12), "api-0", "shop", "k8s.io"),
          containerCells(section(served, "top-memory"), sidecar),
          "without JavaScript");
      assertTrue(section(served, "recent-ooms").contains("data-id=\"" + app + "\""), served);
      assertFalse(dom.contains("<b>evil</b>"), "the pod label's HTML is not markup");
      assertFalse(dom.contains("<script>alert(1)"), "the pod label's script is not a script");
      assertFalse(dom.contains("<img"), "the container name's img is not an element");
      assertTrue(
          section(dom, "top-memory").contains(">web&lt;img src=x onerror=alert(2)&gt; <small"),
          "the container name as text, its id second: " + section(dom, "top-memory"));
      assertTrue(
          section(dom, "top-memory").contains("&lt;b&gt;evil&lt;/b&gt;&lt;script&gt;alert(1)"),
          dom);

      if (Boolean.getBoolean("landing.update")) {
        Path png = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/landing.png");
        chromium("--screenshot=" + png, "--window-size=1280,2900", url);
        assertTrue(Files.size(png) > 10_000, "a screenshot was written");
      }
    }
  }

  /**
   * The CRI pod's row of a recent list: time, container, pod, namespace, containerd namespace,
   * reason.
   */
  private static void assertPodRow(
      String dom, String section, String id, String reason, Instant before) {
    List<String> row = cells(section(dom, section), id);
    assertEquals(
        List.of("app", "api-0", "shop", "k8s.io", reason), row.subList(1, 6), section + ": " + row);
    assertRecent(before, row.get(0));
  }

  /** A recent list's time is ISO-8601 and from this test's run. */
  private static void assertRecent(Instant before, String at) {
    Instant t = Instant.parse(at);
    assertFalse(t.isBefore(before), at + " is before the test made it happen (" + before + ")");
    assertFalse(t.isAfter(Instant.now()), at + " is in the future");
  }

  private static JsonNode topJson(ExporterProcess exporter) {
    try {
      return JSON.readTree(exporter.get("/api/v1/top").body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The row of a top list whose containerd id ({@code name}) is {@code id}. */
  private static JsonNode rowOf(JsonNode rows, String id) {
    for (JsonNode r : rows) {
      if (r.path("name").asText().equals(id)) {
        return r;
      }
    }
    throw new AssertionError("no row for " + id + " in " + rows);
  }

  /**
   * A top list's row for containerd id {@code id}: the name cell's text (tags dropped), pod,
   * namespace, containerd namespace.
   */
  private static List<String> containerCells(String section, String id) {
    int row = section.indexOf("data-name=\"" + id + "\"");
    assertTrue(row >= 0, "a row for " + id + " in " + section);
    String html = section.substring(row, section.indexOf("</tr>", row));
    List<String> cells = new ArrayList<>();
    Matcher m = Pattern.compile("<td[^>]*>(.*?)</td>").matcher(html);
    while (m.find() && cells.size() < 4) {
      cells.add(m.group(1).replaceAll("<[^>]+>", ""));
    }
    return cells;
  }

  /** The {@code field} of every event of a recent list. */
  private static List<String> values(JsonNode events, String field) {
    List<String> out = new ArrayList<>();
    events.forEach(e -> out.add(e.path(field).asText()));
    return out;
  }

  /** The cells' texts of the recent list's row with this data-id. */
  private static List<String> cells(String section, String id) {
    int row = section.indexOf("<tr class=\"event\" data-id=\"" + id + "\"");
    assertTrue(row >= 0, "a row for " + id + " in " + section);
    return cellTexts(section.substring(row, section.indexOf("</tr>", row)));
  }

  /** The cells' texts of the first row whose second cell is {@code subject}. */
  private static List<String> rowWith(String section, String subject) {
    for (String row : section.split("</tr>")) {
      List<String> cells = cellTexts(row);
      if (cells.size() > 1 && cells.get(1).equals(subject)) {
        return cells;
      }
    }
    throw new AssertionError("no row for " + subject + " in " + section);
  }

  private static List<String> cellTexts(String row) {
    List<String> cells = new ArrayList<>();
    Matcher m = Pattern.compile("<td>(.*?)</td>").matcher(row);
    while (m.find()) {
      cells.add(m.group(1));
    }
    return cells;
  }

  private static String section(String dom, String id) {
    int start = dom.indexOf("<section id=\"" + id + "\"");
    assertTrue(start >= 0, "section " + id + " in " + dom);
    return dom.substring(start, dom.indexOf("</section>", start));
  }

  private static List<String> attributes(String html, String name) {
    List<String> ids = new ArrayList<>();
    Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(html);
    while (m.find()) {
      ids.add(m.group(1));
    }
    return ids;
  }

  /** Runs Debian's Chromium headless with its own new profile; returns its standard output. */
  private static String chromium(String... args) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("chromium-profile");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile));
    cmd.addAll(List.of(args));
    Path out = Files.createTempFile("chromium", ".out");
    Process p =
        new ProcessBuilder(cmd)
            .redirectOutput(out.toFile())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium finished within 60 s");
      assertEquals(0, p.exitValue(), "chromium's exit code");
      return Files.readString(out, StandardCharsets.UTF_8);
    } finally {
      p.destroyForcibly();
      Files.deleteIfExists(out);
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
