package io.containerdexporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.config.CommandLineParser.Exit;
import io.containerdexporter.config.CommandLineParser.Outcome;
import io.containerdexporter.config.CommandLineParser.Run;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandLineParserTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private Outcome parse(String... args) {
    return CommandLineParser.parse(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void defaultsAreTheDocumentedOnes() {
    ExporterConfig config = assertInstanceOf(Run.class, parse()).config();
    assertEquals(Path.of("/run/containerd/containerd.sock"), config.containerdAddress());
    assertEquals(new ListenAddress("", 9338), config.listenAddress());
    assertEquals("/metrics", config.telemetryPath());
    assertEquals(LogLevel.INFO, config.logLevel());
    assertEquals(Duration.ofSeconds(5), config.containerdTimeout());
  }

  @Test
  void everyFlagIsRead() {
    ExporterConfig config =
        assertInstanceOf(
                Run.class,
                parse(
                    "--containerd.address=/tmp/c.sock",
                    "--containerd.timeout=750ms",
                    "--web.listen-address=127.0.0.1:9999",
                    "--web.telemetry-path=/m",
                    "--log.level=debug"))
            .config();
    assertEquals(Path.of("/tmp/c.sock"), config.containerdAddress());
    assertEquals(Duration.ofMillis(750), config.containerdTimeout());
    assertEquals(new ListenAddress("127.0.0.1", 9999), config.listenAddress());
    assertEquals("/m", config.telemetryPath());
    assertEquals(LogLevel.DEBUG, config.logLevel());
  }

  @Test
  void thePullSourcesAreRead() {
    PullSettings pulls =
        assertInstanceOf(
                Run.class,
                parse(
                    "--pulls.log-file=/var/log/containerd.log",
                    "--pulls.journal-unit=containerd",
                    "--pulls.journal-directory=/host/var/log/journal",
                    "--pulls.max-repositories=50",
                    "--containerd.metrics-url=http://127.0.0.1:1338/v1/metrics"))
            .config()
            .pulls();
    assertEquals(
        new PullSettings(
            java.util.Optional.of(Path.of("/var/log/containerd.log")),
            java.util.Optional.of("containerd"),
            java.util.Optional.of(Path.of("/host/var/log/journal")),
            50,
            java.util.Optional.of(java.net.URI.create("http://127.0.0.1:1338/v1/metrics"))),
        pulls);
    assertEquals(PullSettings.NONE, assertInstanceOf(Run.class, parse()).config().pulls());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "--no-such-flag",
        "--web.listen-address=9338",
        "--web.listen-address=:99999",
        "--web.listen-address=::1:80",
        "--web.telemetry-path=metrics",
        "--web.telemetry-path=/",
        "--web.telemetry-path=/-/ready",
        "--web.telemetry-path=/api/v1/top",
        "--web.telemetry-path=/scrape-config",
        "--web.telemetry-path=/-/healthy",
        "--log.level=verbose",
        "--poll.interval=0s",
        "--content.stall-after=soon",
        "--containerd.timeout=5",
        "--containerd.timeout=0s",
        "--containerd.address",
        "--containerd.metrics-url=ftp://127.0.0.1/v1/metrics",
        "--containerd.metrics-url=127.0.0.1:1338",
        "--pulls.max-repositories=0",
        "--pulls.max-repositories=many",
        "positional"
      })
  void aBadFlagIsOneLineOnStderrAndExitCode2(String arg) {
    Exit exit = assertInstanceOf(Exit.class, parse(arg));
    assertEquals(2, exit.code());
    String message = err.toString();
    assertTrue(message.startsWith("containerd-exporter: error: "), message);
    assertEquals(1, message.lines().count(), "exactly one line: " + message);
    assertEquals("", out.toString());
  }

  @ParameterizedTest
  @ValueSource(strings = {"/", "/api/v1/top", "/scrape-config", "/-/healthy", "/-/ready"})
  void aTelemetryPathOnOneOfThePagesOwnPathsIsRefusedNamingTheFlag(String path) {
    Exit exit = assertInstanceOf(Exit.class, parse("--web.telemetry-path=" + path));
    assertEquals(2, exit.code());
    String message = err.toString();
    assertEquals(1, message.lines().count(), "exactly one line: " + message);
    assertTrue(message.contains("--web.telemetry-path=" + path + ":"), message);
  }

  private static final List<CollectorSwitch> SWITCHES =
      List.of(
          new CollectorSwitch("tasks", true, "Tasks."),
          new CollectorSwitch("image-info", false, "Images."));

  private Outcome parseWithCollectors(String... args) {
    return CommandLineParser.parse(
        args, SWITCHES, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void collectorsFollowTheirDefaultsAndSwitches() {
    assertEquals(
        Set.of("tasks"),
        assertInstanceOf(Run.class, parseWithCollectors()).config().poll().enabledCollectors());
    assertEquals(
        Set.of("tasks", "image-info"),
        assertInstanceOf(Run.class, parseWithCollectors("--collector.image-info"))
            .config()
            .poll()
            .enabledCollectors());
    assertEquals(
        Set.of(),
        assertInstanceOf(Run.class, parseWithCollectors("--no-collector.tasks"))
            .config()
            .poll()
            .enabledCollectors());
    Exit contradiction =
        assertInstanceOf(
            Exit.class, parseWithCollectors("--collector.tasks", "--no-collector.tasks"));
    assertEquals(2, contradiction.code());
    assertEquals(
        2, assertInstanceOf(Exit.class, parseWithCollectors("--collector.nonsense")).code());
  }

  @Test
  void pollSettings() {
    ExporterConfig config =
        assertInstanceOf(
                Run.class,
                parse(
                    "--poll.interval=30s",
                    "--poll.timeout=20s",
                    "--content.stall-after=5m",
                    "--containerd.namespaces.include=k8s\\.io",
                    "--containerd.namespaces.exclude=x"))
            .config();
    assertEquals(Duration.ofSeconds(30), config.poll().interval());
    assertEquals(Duration.ofSeconds(20), config.poll().timeout());
    assertEquals(Duration.ofMinutes(5), config.poll().contentStallAfter());
    assertTrue(config.poll().namespaces().accepts("k8s.io"));
    assertTrue(!config.poll().namespaces().accepts("k8sxio"));
    assertEquals(
        2, assertInstanceOf(Exit.class, parse("--poll.interval=5s", "--poll.timeout=10s")).code());
    assertEquals(
        "containerd-exporter: error: --poll.timeout=10s: must not be longer than --poll.interval (5s) "
            + "(see --help)\n",
        err.toString());
  }

  @Test
  void theTimeoutAndTheStalenessFollowTheIntervalUnlessSet() {
    ExporterConfig.PollSettings fast =
        assertInstanceOf(Run.class, parse("--poll.interval=5s")).config().poll();
    assertEquals(Duration.ofSeconds(5), fast.timeout(), "min(10s, interval)");
    assertEquals(Duration.ofSeconds(15), fast.maxStaleness(), "3 x interval");
    ExporterConfig.PollSettings slow =
        assertInstanceOf(Run.class, parse("--poll.interval=1m")).config().poll();
    assertEquals(Duration.ofSeconds(10), slow.timeout());
    assertEquals(Duration.ofMinutes(3), slow.maxStaleness());
    ExporterConfig.PollSettings defaults = assertInstanceOf(Run.class, parse()).config().poll();
    assertEquals(Duration.ofSeconds(15), defaults.interval());
    assertEquals(Duration.ofSeconds(10), defaults.timeout());
    assertEquals(Duration.ofSeconds(45), defaults.maxStaleness());
    assertEquals(
        Duration.ofSeconds(20),
        assertInstanceOf(Run.class, parse("--poll.interval=20s", "--poll.max-staleness=20s"))
            .config()
            .poll()
            .maxStaleness());
  }

  @Test
  void aStalenessShorterThanTheIntervalIsRefused() {
    assertEquals(2, assertInstanceOf(Exit.class, parse("--poll.max-staleness=10s")).code());
    assertEquals(
        "containerd-exporter: error: --poll.max-staleness=10s: must not be shorter than --poll.interval "
            + "(15s) (see --help)\n",
        err.toString());
  }

  @Test
  void writableLayerIntervalDefaultsToAMinute() {
    assertEquals(
        Duration.ofMinutes(1),
        assertInstanceOf(Run.class, parse()).config().writableLayerInterval());
    assertEquals(
        Duration.ofSeconds(30),
        assertInstanceOf(Run.class, parse("--collector.writable-layer.interval=30s"))
            .config()
            .writableLayerInterval());
    assertEquals(
        2, assertInstanceOf(Exit.class, parse("--collector.writable-layer.interval=0s")).code());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/run/containerd/containerd.sock",
        "unix:///run/containerd/containerd.sock",
        "unix:/run/containerd/containerd.sock"
      })
  void theAddressIsAPathOrAUnixUrl(String address) {
    assertEquals(
        Path.of("/run/containerd/containerd.sock"),
        assertInstanceOf(Run.class, parse("--containerd.address=" + address))
            .config()
            .containerdAddress());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "tcp://127.0.0.1:1234",
        "npipe:////./pipe/containerd",
        "unix://run/containerd.sock",
        ""
      })
  void anAddressThatIsNoUnixSocketIsRefused(String address) {
    assertEquals(2, assertInstanceOf(Exit.class, parse("--containerd.address=" + address)).code());
    assertTrue(
        err.toString()
            .startsWith("containerd-exporter: error: --containerd.address=" + address + ": "),
        err.toString());
  }

  /**
   * Exactly what a user reads: the flag, the value, what is wrong or expected, and no Java in it.
   */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "--containerd.timeout=5|--containerd.timeout=5: not a duration; expected a number and a unit (ms, s, m, h, d, "
            + "w, y), e.g. 15s or 1m30s",
        "--poll.interval=-5s|--poll.interval=-5s: must be positive",
        "--poll.interval=0s|--poll.interval=0s: must be positive",
        "--events.retention=soon|--events.retention=soon: not a duration; expected a number and a unit (ms, s, m, h, "
            + "d, w, y), e.g. 15s or 1m30s",
        "--web.listen-address=9338|--web.listen-address=9338: not [host]:port; expected e.g. :9338 or 127.0.0.1:9338",
        "--log.level=loud|--log.level=loud: not a log level; expected debug, info, warn or error",
        "--stats.source=disk|--stats.source=disk: not a stats source; expected auto, cgroupfs or api",
        "--containerd.namespaces.include=(|--containerd.namespaces.include=(: not a regex (Unclosed group)",
        "--metrics.include=(|--metrics.include=(: not a regex (Unclosed group)",
        "--metrics.exclude=[|--metrics.exclude=[: not a regex (Unclosed character class)"
      })
  void aBadValueIsNamedWithItsFlagAndTheExpectedForm(String arg, String expected) {
    assertEquals(2, assertInstanceOf(Exit.class, parse(arg)).code());
    assertEquals("containerd-exporter: error: " + expected + " (see --help)\n", err.toString());
  }

  @Test
  void theFamilyFilterMatchesWholeNames() {
    FamilyFilter f =
        assertInstanceOf(
                Run.class,
                parse("--metrics.include=container_.*", "--metrics.exclude=container_sockets"))
            .config()
            .metricsFilter();
    assertTrue(f.includes("container_processes"));
    assertTrue(!f.includes("container_sockets"));
    assertTrue(!f.includes("containerd_up"), "include is anchored: containerd_ is not container_");
    assertTrue(assertInstanceOf(Run.class, parse()).config().metricsFilter().includes("any_thing"));
  }

  @Test
  void theJvmMetricsSwitch() {
    assertTrue(assertInstanceOf(Run.class, parse()).config().jvmMetrics());
    assertTrue(!assertInstanceOf(Run.class, parse("--no-metrics.jvm")).config().jvmMetrics());
    assertEquals(
        2, assertInstanceOf(Exit.class, parse("--metrics.jvm", "--no-metrics.jvm")).code());
  }

  @Test
  void aBadRegexIsOneLine() {
    assertEquals(
        2, assertInstanceOf(Exit.class, parse("--containerd.namespaces.include=(")).code());
    assertEquals(1, err.toString().lines().count(), err.toString());
  }

  @Test
  void helpShowsBothFormsOfEverySwitchAndHowToTurnOnWhatIsOff() {
    assertEquals(0, assertInstanceOf(Exit.class, parseWithCollectors("--help")).code());
    String help = out.toString().replaceAll("\\s+", " "); // descriptions wrap
    assertTrue(help.contains("--[no-]collector.tasks "), help);
    assertTrue(help.contains("--no-collector.tasks turns it off."), help);
    assertTrue(help.contains("--[no-]collector.image-info "), help);
    assertTrue(help.contains("Disabled by default; --collector.image-info turns it on."), help);
    assertTrue(help.contains("--[no-]metrics.jvm "), help);
  }

  /**
   * A flag name is never cut at a line end: every "--word" on every line of --help is a whole, real
   * flag.
   */
  @Test
  void helpNeverBreaksAFlagName() {
    parseWithCollectors("--help");
    String help = out.toString();
    java.util.Set<String> flags = new java.util.HashSet<>();
    for (String name :
        new String[] {
          "containerd.address",
          "containerd.timeout",
          "web.listen-address",
          "web.telemetry-path",
          "log.level",
          "containerd.namespaces.include",
          "containerd.namespaces.exclude",
          "poll.interval",
          "poll.timeout",
          "poll.max-staleness",
          "collector.writable-layer.interval",
          "content.stall-after",
          "events.retention",
          "path.cgroupfs",
          "path.sysfs",
          "path.procfs",
          "stats.source",
          "labels.container-labels",
          "web.config.file",
          "web.max-requests",
          "web.health.skip-auth",
          "pulls.log-file",
          "pulls.journal-unit",
          "pulls.journal-directory",
          "pulls.max-repositories",
          "containerd.metrics-url",
          "collector.pulls-log",
          "collector.pulls-journal",
          "help",
          "version",
          "metrics.jvm",
          "metrics.include",
          "metrics.exclude",
          "collector.tasks",
          "collector.image-info"
        }) {
      flags.add("--" + name);
      flags.add("--no-" + name);
      flags.add("--[no-]" + name);
    }
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("--[\\w.\\[\\]-]*").matcher("");
    for (String line : help.split("\n")) {
      assertTrue(line.length() <= HelpText.WIDTH, "wider than " + HelpText.WIDTH + ": " + line);
      m.reset(line);
      while (m.find()) {
        String token = m.group().replaceAll("[.]+$", "");
        assertTrue(flags.contains(token), "'" + token + "' is not a whole flag name, in: " + line);
      }
    }
  }

  @Test
  void helpListsEveryFlagAndExitsZero() {
    Exit exit = assertInstanceOf(Exit.class, parse("--help"));
    assertEquals(0, exit.code());
    for (String flag :
        new String[] {
          "--containerd.address",
          "--containerd.timeout",
          "--web.listen-address",
          "--web.telemetry-path",
          "--log.level",
          "--version",
          "--help"
        }) {
      assertTrue(out.toString().contains(flag), flag + " missing from --help");
    }
  }

  @Test
  void versionPrintsOneLine() {
    Exit exit = assertInstanceOf(Exit.class, parse("--version"));
    assertEquals(0, exit.code());
    assertTrue(out.toString().startsWith("containerd-exporter, version "), out.toString());
  }
}
