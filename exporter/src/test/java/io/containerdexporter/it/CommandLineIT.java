package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar's command line, as a user meets it. */
class CommandLineIT {

  private record Run(int exitCode, String stdout, String stderr) {}

  private static Run run(String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(ExporterProcess.javaBin(), "-jar", ExporterProcess.jar().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the jar must exit by itself");
    return new Run(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void helpAndVersion() throws Exception {
    Run help = run("--help");
    assertEquals(0, help.exitCode());
    assertTrue(help.stdout().contains("--containerd.address"), help.stdout());
    Run version = run("--version");
    assertEquals(0, version.exitCode());
    assertTrue(version.stdout().startsWith("containerd-exporter, version 0.1.0"), version.stdout());
  }

  @Test
  void aBadFlagIsOneLineAndExitCode2() throws Exception {
    for (String bad :
        new String[] {"--no-such-flag", "--web.listen-address=nonsense", "--log.level=loud"}) {
      Run run = run(bad);
      assertEquals(2, run.exitCode(), bad);
      assertEquals(1, run.stderr().lines().count(), bad + ": " + run.stderr());
      assertTrue(run.stderr().startsWith("containerd-exporter: error: "), run.stderr());
      assertEquals("", run.stdout());
    }
  }

  @Test
  void aBadWebConfigIsOneLineNamingFileAndKeyAndExitCode2(@TempDir Path dir) throws Exception {
    Path web = dir.resolve("web.yml");
    for (String[] bad :
        new String[][] {
          {"tls_server_config: [\n", ""},
          {
            "tls_server_config:\n  cert_file: missing.crt\n  key_file: missing.key\n",
            "tls_server_config.cert_file: "
          },
          {"basic_auth_users:\n  alice: not-a-hash\n", "basic_auth_users.alice: "},
          {"rate_limit:\n  intervall: 1s\n", "rate_limit.intervall: unknown key"},
        }) {
      Files.writeString(web, bad[0]);
      Run run =
          run(
              "--web.config.file=" + web,
              "--containerd.address=/nonexistent/containerd.sock",
              "--web.listen-address=127.0.0.1:0");
      assertEquals(2, run.exitCode(), bad[0] + run.stderr());
      assertEquals(1, run.stderr().lines().count(), bad[0] + ": " + run.stderr());
      assertTrue(
          run.stderr()
              .startsWith("containerd-exporter: error: --web.config.file=" + web + ": " + bad[1]),
          run.stderr());
    }
    Run missing = run("--web.config.file=" + dir.resolve("nope.yml"));
    assertEquals(2, missing.exitCode());
    assertEquals(
        "containerd-exporter: error: --web.config.file="
            + dir.resolve("nope.yml")
            + ": no such file\n",
        missing.stderr());
  }

  @Test
  void aTakenListenAddressIsOneClearLineAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run =
          run(
              "--web.listen-address=127.0.0.1:" + taken.getLocalPort(),
              "--containerd.address=/nonexistent/containerd.sock");
      assertEquals(1, run.exitCode(), run.stderr());
      assertTrue(
          run.stderr().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()),
          run.stderr());
      assertTrue(!run.stderr().contains("\tat "), "no stack trace: " + run.stderr());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aBadValueNamesTheFlagTheValueAndTheExpectedFormWithNoJavaInIt() throws Exception {
    Run notADuration = run("--containerd.timeout=5");
    assertEquals(2, notADuration.exitCode());
    assertEquals(
        "containerd-exporter: error: --containerd.timeout=5: not a duration; expected a number and a unit "
            + "(ms, s, m, h, d, w, y), e.g. 15s or 1m30s (see --help)\n",
        notADuration.stderr());
    Run negative = run("--poll.interval=-5s");
    assertEquals(
        "containerd-exporter: error: --poll.interval=-5s: must be positive (see --help)\n",
        negative.stderr());
  }

  @Test
  void helpShowsEverySwitchWhole() throws Exception {
    String help = run("--help").stdout();
    for (String flag :
        new String[] {
          "--[no-]collector.task-stats ",
          "--[no-]collector.network ",
          "--[no-]collector.writable-layer ",
          "--[no-]collector.image-info ",
          "--[no-]metrics.jvm ",
          "--poll.max-staleness=DURATION ",
          "--collector.writable-layer.interval=DURATION "
        }) {
      assertTrue(help.contains(flag), flag + " in:\n" + help);
    }
    assertTrue(
        help.replaceAll("\\s+", " ")
            .contains("Disabled by default; --collector.image-info turns it on."),
        help);
  }

  /**
   * A shorter interval alone is fine (the timeout follows it); the unix:// form names the same
   * socket.
   */
  @Test
  void aFiveSecondIntervalAndAUnixUrlStartAndSayWhatIsWrongOnly(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("containerd.sock"), "");
    try (ExporterProcess exporter =
        ExporterProcess.start(java.nio.file.Path.of("unix://" + file), "--poll.interval=5s")) {
      Await.until(
          java.time.Duration.ofSeconds(15),
          "containerd_up 0 and the cause logged",
          exporter::scrape,
          m ->
              m.value("containerd_up").equals(java.util.Optional.of(0.0))
                  && exporter.log().contains(" is a regular file, not a socket"));
      Thread.sleep(2_000); // more retries (250 ms doubling): still serving, nothing more logged
      assertEquals(200, exporter.get("/metrics").statusCode());
      assertEquals(200, exporter.get("/-/healthy").statusCode());
      String log = exporter.log();
      assertTrue(
          log.contains(
              "containerd at "
                  + file
                  + " is not reachable: "
                  + file
                  + " is a regular file, not a socket"),
          log);
      List<String> warnings =
          log.lines()
              .filter(l -> l.contains(" level=warn ") || l.contains(" level=error "))
              .toList();
      assertTrue(
          warnings.stream().allMatch(l -> l.contains(" source=ConnectionMonitor ")),
          "while containerd is not there, only the connection monitor speaks: " + log);
      assertEquals(1, warnings.size(), "one warning for one cause, not one per retry: " + log);
      assertTrue(log.lines().allMatch(l -> l.startsWith("time=")), "logfmt only: " + log);
    }
  }
}
