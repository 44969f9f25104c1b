package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * scripts/demo as a user runs it: started, scraped, stopped with SIGTERM to its PID; then nothing
 * of it is left (no containerd, shim, exporter, mount, cgroup, veth or temp dir). The scrape also
 * makes README's sample: with {@code -Dreadme.update=true} it is written there, otherwise README's
 * sample must be in the scrape.
 */
class DemoIT {

  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern ADDRESS = Pattern.compile("\\(containerd at (\\S+);");
  private static final List<String> DEMO_NAMESPACES = List.of("demo", "demo-batch");
  private static final String SAMPLE_OPEN =
      "<!-- sample: a scrape of scripts/demo, written by DemoIT -->\n```\n";

  /** What README shows, in this order: the series of the demo namespace and a few per-task ones. */
  private static final List<Predicate<MetricsText.Sample>> SAMPLE =
      List.of(
          named("containerd_up"),
          named("containerd_info"),
          inDemo("containerd_containers"),
          inDemo("containerd_tasks"),
          inDemo("containerd_images"),
          inDemo("containerd_snapshots"),
          task("container_cpu_usage_seconds_total", "cpu-burner"),
          task("container_memory_working_set_bytes", "memory-holder"),
          task("container_spec_memory_limit_bytes", "memory-holder"),
          task("container_fs_usage_bytes", "memory-holder"),
          task("container_network_receive_bytes_total", "pinger"),
          task("container_network_transmit_packets_total", "pinger"),
          s ->
              s.name().equals("containerd_exporter_collector_success")
                  && "network".equals(s.labels().get("collector")),
          named("containerd_exporter_build_info"));

  /** Label values that differ from one build or machine to the next. */
  private static final Set<String> VOLATILE_LABELS = Set.of("revision", "version", "javaversion");

  @Test
  void startsScrapesStopsOnSigtermAndLeavesNothingBehind() throws Exception {
    Set<String> cgroupsBefore = demoCgroups();
    Set<String> linksBefore = vethLinks();
    int port = ExporterProcess.freePort();
    Path output = Files.createTempFile("demo-it-", ".log");
    ProcessBuilder builder =
        new ProcessBuilder("scripts/demo")
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
    builder.environment().put("PORT", Integer.toString(port));
    builder.environment().put("SKIP_BUILD", "1");
    builder
        .environment()
        .put("CONTAINERD_ADDRESS", "/nonexistent/containerd.sock"); // always the private one
    Process demo = builder.start();
    try {
      MetricsText scrape =
          Await.until(
              Duration.ofSeconds(90),
              "the demo's network and task series",
              () -> {
                if (!demo.isAlive()) {
                  throw new IllegalStateException("scripts/demo exited: " + read(output));
                }
                return scrape(port);
              },
              m ->
                  m != null
                      && m.value("containerd_exporter_collector_success", "collector", "network")
                              .orElse(0.0)
                          == 1.0
                      && !sample(m).isEmpty()
                      && SAMPLE.stream().allMatch(p -> m.samples().stream().anyMatch(p))
                      && m.samples("container_network_transmit_packets_total").stream()
                          .anyMatch(s -> s.value() > 0));
      Path tempDir = tempDirOf(read(output));

      if (Boolean.getBoolean("readme.update")) {
        writeReadmeSample(sample(scrape));
      }
      assertReadmeSampleIsIn(scrape);

      demo.destroy(); // SIGTERM to the script's PID, as `timeout` or `kill` would
      assertTrue(
          demo.waitFor(60, TimeUnit.SECONDS), "scripts/demo must exit on SIGTERM: " + read(output));

      String log = read(output);
      assertFalse(tempDir.toFile().exists(), tempDir + " left behind: " + log);
      assertEquals(
          List.of(), processesMentioning(tempDir.toString()), "containerd or shims left: " + log);
      assertEquals(
          List.of(), processesMentioning("--web.listen-address=:" + port), "the exporter left");
      assertFalse(
          Files.readString(Path.of("/proc/self/mountinfo")).contains(tempDir.toString()),
          "mounts left");
      assertEquals(cgroupsBefore, demoCgroups(), "cgroups of the demo namespaces left");
      assertEquals(linksBefore, vethLinks(), "veth left");
      assertFalse(portAnswers(port), "still listening on " + port);
      assertFalse(log.contains("\u001b["), "colour escapes in: " + log);
      assertFalse(log.contains("could not clean"), log);
      assertTrue(log.contains("[demo] done"), log);
    } finally {
      if (demo.isAlive()) {
        demo.destroyForcibly();
      }
      Files.deleteIfExists(output);
    }
  }

  private static Predicate<MetricsText.Sample> named(String name) {
    return s -> s.name().equals(name);
  }

  private static Predicate<MetricsText.Sample> inDemo(String name) {
    return s -> s.name().equals(name) && "demo".equals(s.labels().get("containerd_namespace"));
  }

  private static Predicate<MetricsText.Sample> task(String name, String task) {
    return s -> s.name().equals(name) && task.equals(s.labels().get("name"));
  }

  /** The sample's lines, as the exporter wrote them, in SAMPLE's order. */
  private static List<String> sample(MetricsText scrape) {
    List<String> lines = new ArrayList<>();
    for (Predicate<MetricsText.Sample> wanted : SAMPLE) {
      for (String line : scrape.text().split("\n")) {
        if (!line.isBlank()
            && !line.startsWith("#")
            && wanted.test(MetricsText.parse(line).samples().get(0))) {
          lines.add(line);
        }
      }
    }
    return lines;
  }

  private static void writeReadmeSample(List<String> lines) throws IOException {
    Path readme = ROOT.resolve("README.md");
    String text = Files.readString(readme);
    int start = text.indexOf(SAMPLE_OPEN) + SAMPLE_OPEN.length();
    int end = text.indexOf("```", start);
    Files.writeString(
        readme, text.substring(0, start) + String.join("\n", lines) + "\n" + text.substring(end));
  }

  /**
   * Every series README shows is in the live scrape (values and build-specific label values aside).
   */
  private static void assertReadmeSampleIsIn(MetricsText scrape) throws IOException {
    String text = Files.readString(ROOT.resolve("README.md"));
    int start = text.indexOf(SAMPLE_OPEN);
    assertTrue(start >= 0, "README has the sample marker");
    start += SAMPLE_OPEN.length();
    MetricsText readme = MetricsText.parse(text.substring(start, text.indexOf("```", start)));
    assertTrue(
        readme.samples().size() >= SAMPLE.size(), "README's sample has every kind of series");
    for (MetricsText.Sample shown : readme.samples()) {
      assertTrue(
          scrape.samples().stream().anyMatch(live -> sameSeries(shown, live)),
          "README shows "
              + shown
              + ", not in the demo's scrape (regenerate with -Dreadme.update=true)");
    }
  }

  private static boolean sameSeries(MetricsText.Sample a, MetricsText.Sample b) {
    if (!a.name().equals(b.name()) || !a.labels().keySet().equals(b.labels().keySet())) {
      return false;
    }
    for (Map.Entry<String, String> label : a.labels().entrySet()) {
      if (!VOLATILE_LABELS.contains(label.getKey())
          && !label.getValue().equals(b.labels().get(label.getKey()))) {
        return false;
      }
    }
    return true;
  }

  private static MetricsText scrape(int port) {
    try {
      java.net.http.HttpResponse<String> r =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(
                          java.net.URI.create("http://127.0.0.1:" + port + "/metrics"))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? MetricsText.parse(r.body()) : null;
    } catch (IOException e) {
      return null; // not up yet
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The private containerd's temp dir: the ctrd-sbx-* ancestor of the socket the script says it
   * watches.
   */
  private static Path tempDirOf(String output) {
    Matcher m = ADDRESS.matcher(output);
    assertTrue(m.find(), "the script names the containerd it watches: " + output);
    for (Path p = Path.of(m.group(1)); p != null; p = p.getParent()) {
      if (p.getFileName() != null && p.getFileName().toString().startsWith("ctrd-sbx-")) {
        return p;
      }
    }
    throw new AssertionError("not in a sandbox temp dir: " + m.group(1));
  }

  private static List<String> processesMentioning(String needle) throws IOException {
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline =
              new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8)
                  .replace('\0', ' ');
          if (cmdline.contains(needle)
              && !proc.getFileName()
                  .toString()
                  .equals(Long.toString(ProcessHandle.current().pid()))) {
            found.add(proc.getFileName() + ": " + cmdline);
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }

  private static Set<String> demoCgroups() throws IOException {
    Set<String> found = new java.util.TreeSet<>();
    try (Stream<Path> controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
      for (Path controller : controllers.toList()) {
        for (String ns : DEMO_NAMESPACES) {
          if (Files.isDirectory(controller.resolve(ns))) {
            found.add(controller.resolve(ns).toString());
          }
        }
      }
    }
    return found;
  }

  private static Set<String> vethLinks() throws Exception {
    Process ip =
        new ProcessBuilder("ip", "-o", "link", "show", "type", "veth")
            .redirectErrorStream(true)
            .start();
    String out = new String(ip.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    ip.waitFor();
    Set<String> names = new java.util.TreeSet<>();
    out.lines()
        .map(l -> l.split(":\\s+"))
        .filter(f -> f.length > 1)
        .map(f -> f[1].replaceAll("@.*", ""))
        .filter(Objects::nonNull)
        .forEach(names::add);
    return names;
  }

  private static boolean portAnswers(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (ConnectException refused) {
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
