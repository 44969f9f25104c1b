package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The node page in a real browser (Debian's headless Chromium) against the real containerd: the
 * busy container tops the CPU list, an OOM kill that just happened is listed, and a pod name with
 * HTML in it (from the container's label) comes out as text. {@code -Dlanding.update=true} rewrites
 * docs/landing.png from the same page.
 */
@ExtendWith(ContainerdExtension.class)
class LandingPageIT {

  private static final String NS = "page";
  private static final String HTML_POD = "<b>evil</b><script>alert(1)</script>";

  private final ContainerdSandbox containerd;

  LandingPageIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  @Test
  void thePageShowsTheBusyContainerFirstTheOomAndEscapesLabels() throws Exception {
    containerd.createNamespace(NS);
    containerd.importBusybox(NS, ContainerdSandbox.BUSYBOX_IMAGE);
    RunOptions kube =
        RunOptions.builder()
            .label("io.kubernetes.pod.namespace", "shop")
            .label("io.kubernetes.pod.name", HTML_POD)
            .label("io.kubernetes.container.name", "web")
            .build();
    containerd.run(NS, "idle", ContainerdSandbox.BUSYBOX_IMAGE, kube, "sleep", "100000");
    containerd.run(
        NS,
        "busy",
        ContainerdSandbox.BUSYBOX_IMAGE,
        RunOptions.DEFAULTS,
        "sh",
        "-c",
        "while :; do :; done");
    try (ExporterProcess exporter =
        ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s")) {
      Await.until(
          Duration.ofSeconds(30),
          "the exporter subscribed to events",
          exporter::scrape,
          s -> s.value("containerd_exporter_event_stream_up").orElse(0.0) == 1.0);
      containerd.run(
          NS,
          "oom",
          ContainerdSandbox.BUSYBOX_IMAGE,
          RunOptions.builder().memoryLimitBytes(8 * 1024 * 1024).build(),
          "sh",
          "-c",
          "x=a; while :; do x=$x$x; done");
      String url = "http://127.0.0.1:" + exporter.port() + "/";
      Await.until(
          Duration.ofSeconds(30),
          "the OOM and a CPU ranking on /api/v1/top",
          () -> exporter.get("/api/v1/top").body(),
          b ->
              b.contains("\"id\":\"oom\"")
                  && b.matches("(?s).*\"topCpu\":\\[\\{[^}]*\"name\":\"busy\".*"));

      String dom = chromium("--dump-dom", url);
      List<String> cpuOrder = attributes(section(dom, "top-cpu"), "data-name");
      assertEquals("busy", cpuOrder.get(0), dom);
      assertTrue(cpuOrder.contains("idle"), dom);
      assertTrue(attributes(section(dom, "recent-ooms"), "data-id").contains("oom"), dom);
      assertTrue(section(dom, "recent-ooms").contains("OOM killed"), dom);
      assertFalse(dom.contains("<b>evil</b>"), "the pod label's HTML is not markup");
      assertFalse(dom.contains("<script>alert(1)"), "the pod label's script is not a script");
      assertTrue(
          section(dom, "top-memory").contains("&lt;b&gt;evil&lt;/b&gt;&lt;script&gt;alert(1)"),
          dom);

      if (Boolean.getBoolean("landing.update")) {
        Path png = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/landing.png");
        chromium("--screenshot=" + png, "--window-size=1280,1600", url);
        assertTrue(Files.size(png) > 10_000, "a screenshot was written");
      }
    }
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
