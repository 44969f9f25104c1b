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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

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
    ExporterConfig config = assertInstanceOf(Run.class, parse(
        "--containerd.address=/tmp/c.sock", "--containerd.timeout=750ms", "--web.listen-address=127.0.0.1:9999",
        "--web.telemetry-path=/m", "--log.level=debug")).config();
    assertEquals(Path.of("/tmp/c.sock"), config.containerdAddress());
    assertEquals(Duration.ofMillis(750), config.containerdTimeout());
    assertEquals(new ListenAddress("127.0.0.1", 9999), config.listenAddress());
    assertEquals("/m", config.telemetryPath());
    assertEquals(LogLevel.DEBUG, config.logLevel());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "--no-such-flag",
      "--web.listen-address=9338",
      "--web.listen-address=:99999",
      "--web.listen-address=::1:80",
      "--web.telemetry-path=metrics",
      "--web.telemetry-path=/",
      "--web.telemetry-path=/-/ready",
      "--log.level=verbose",
      "--poll.interval=0s",
      "--content.stall-after=soon",
      "--containerd.timeout=5",
      "--containerd.timeout=0s",
      "--containerd.address",
      "positional"})
  void aBadFlagIsOneLineOnStderrAndExitCode2(String arg) {
    Exit exit = assertInstanceOf(Exit.class, parse(arg));
    assertEquals(2, exit.code());
    String message = err.toString();
    assertTrue(message.startsWith("containerd-exporter: error: "), message);
    assertEquals(1, message.lines().count(), "exactly one line: " + message);
    assertEquals("", out.toString());
  }

  private static final List<CollectorSwitch> SWITCHES = List.of(
      new CollectorSwitch("tasks", true, "Tasks."), new CollectorSwitch("image-info", false, "Images."));

  private Outcome parseWithCollectors(String... args) {
    return CommandLineParser.parse(args, SWITCHES, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void collectorsFollowTheirDefaultsAndSwitches() {
    assertEquals(Set.of("tasks"), assertInstanceOf(Run.class, parseWithCollectors()).config().poll()
        .enabledCollectors());
    assertEquals(Set.of("tasks", "image-info"), assertInstanceOf(Run.class,
        parseWithCollectors("--collector.image-info")).config().poll().enabledCollectors());
    assertEquals(Set.of(), assertInstanceOf(Run.class,
        parseWithCollectors("--no-collector.tasks")).config().poll().enabledCollectors());
    Exit contradiction = assertInstanceOf(Exit.class,
        parseWithCollectors("--collector.tasks", "--no-collector.tasks"));
    assertEquals(2, contradiction.code());
    assertEquals(2, assertInstanceOf(Exit.class, parseWithCollectors("--collector.nonsense")).code());
  }

  @Test
  void pollSettings() {
    ExporterConfig config = assertInstanceOf(Run.class, parse("--poll.interval=30s", "--poll.timeout=20s",
        "--content.stall-after=5m", "--containerd.namespaces.include=k8s\\.io",
        "--containerd.namespaces.exclude=x")).config();
    assertEquals(Duration.ofSeconds(30), config.poll().interval());
    assertEquals(Duration.ofSeconds(20), config.poll().timeout());
    assertEquals(Duration.ofMinutes(5), config.poll().contentStallAfter());
    assertTrue(config.poll().namespaces().accepts("k8s.io"));
    assertTrue(!config.poll().namespaces().accepts("k8sxio"));
    assertEquals(2, assertInstanceOf(Exit.class, parse("--poll.interval=5s", "--poll.timeout=10s")).code());
    assertTrue(err.toString().contains("--poll.timeout"), err.toString());
  }

  @Test
  void aBadRegexIsOneLine() {
    assertEquals(2, assertInstanceOf(Exit.class, parse("--containerd.namespaces.include=(")).code());
    assertEquals(1, err.toString().lines().count(), err.toString());
  }

  @Test
  void helpListsEveryFlagAndExitsZero() {
    Exit exit = assertInstanceOf(Exit.class, parse("--help"));
    assertEquals(0, exit.code());
    for (String flag : new String[] {"--containerd.address", "--containerd.timeout", "--web.listen-address",
        "--web.telemetry-path", "--log.level", "--version", "--help"}) {
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
