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
