package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The real jar's command line, as a user meets it. */
class CommandLineIT {

  private record Run(int exitCode, String stdout, String stderr) {}

  private static Run run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(ExporterProcess.javaBin(), "-jar",
        ExporterProcess.jar().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).start();
    p.getOutputStream().close();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the jar must exit by itself");
    return new Run(p.exitValue(),
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
    for (String bad : new String[] {"--no-such-flag", "--web.listen-address=nonsense", "--log.level=loud"}) {
      Run run = run(bad);
      assertEquals(2, run.exitCode(), bad);
      assertEquals(1, run.stderr().lines().count(), bad + ": " + run.stderr());
      assertTrue(run.stderr().startsWith("containerd-exporter: error: "), run.stderr());
      assertEquals("", run.stdout());
    }
  }

  @Test
  void aTakenListenAddressIsOneClearLineAndExitCode1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Run run = run("--web.listen-address=127.0.0.1:" + taken.getLocalPort(),
          "--containerd.address=/nonexistent/containerd.sock");
      assertEquals(1, run.exitCode(), run.stderr());
      assertTrue(run.stderr().contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()), run.stderr());
      assertTrue(!run.stderr().contains("\tat "), "no stack trace: " + run.stderr());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
