package io.containerdexporter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Random mutations of a full web config, and random command lines, with a fixed seed: the web
 * config parser returns or throws {@link WebConfigException} with one line; the command line parser
 * returns a config or exit code 2 with one line on stderr. Nothing else, ever. {@code
 * -Dfuzz.iterations=N} runs longer (the default suite runs {@value #DEFAULT_ITERATIONS} each); a
 * failure prints its seed and input, to become a regression case.
 */
class HostileConfigFuzzTest {

  static final int DEFAULT_ITERATIONS = 3000;
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", DEFAULT_ITERATIONS);
  private static final long SEED = Long.getLong("fuzz.seed", 0xC0FF_EE14L);

  /** What YAML's grammar turns on: a mutation with these reaches the parser's corners. */
  private static final String[] YAML_BITS = {
    ":",
    "- ",
    "[",
    "]",
    "{",
    "}",
    "&a ",
    "*a",
    "!!binary ",
    "!!map ",
    "? ",
    "|",
    ">",
    "#",
    "'",
    "\"",
    "\n",
    "\n  ",
    "\t",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "<<: *a\n",
    "\\u0000",
    "\u0000",
    "\uFFFF",
    "~",
    "null",
    "true",
    "0x1F",
    "1e999",
    "-1",
    "99999999999999999999"
  };

  @Test
  void webConfigParserOnlyReturnsOrRefusesInOneLine() {
    Random random = new Random(SEED);
    Path file = Path.of("/nonexistent/web.yml");
    Set<String> ciphers = Set.of("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256");
    for (int i = 0; i < ITERATIONS; i++) {
      String input = mutate(WebConfigFileTest.EVERY_KEY, random);
      try {
        WebConfigFile.parse(file, input, ciphers);
      } catch (WebConfigException e) {
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertFalse(
            e.getMessage().contains("\n"), "seed " + SEED + " #" + i + ": " + e.getMessage());
      } catch (RuntimeException | StackOverflowError e) {
        fail("seed " + SEED + " iteration " + i + ", input:\n" + input, e);
      }
    }
  }

  private static final String[] FLAGS = {
    "--containerd.address",
    "--containerd.timeout",
    "--web.listen-address",
    "--web.telemetry-path",
    "--web.config.file",
    "--web.max-requests",
    "--web.health.skip-auth",
    "--log.level",
    "--containerd.namespaces.include",
    "--containerd.namespaces.exclude",
    "--poll.interval",
    "--poll.timeout",
    "--poll.max-staleness",
    "--collector.writable-layer.interval",
    "--content.stall-after",
    "--events.retention",
    "--path.cgroupfs",
    "--stats.source",
    "--labels.container-labels",
    "--metrics.jvm",
    "--no-metrics.jvm",
    "--bogus"
  };
  private static final String[] VALUES = {
    "", "0", "-1", "15s", "1m30s", "500ms", "1.5s", "99999999999999999999h", ":9338", "[::1]:0",
    "[::1", "host:port", "unix:///run/x.sock", "unix://", "/", "/-/x", "(", "[a-", ".*", "debug",
    "LOUD", "api", "auto", "\u0000", "\n", "=", "==", "%s", "${x}", "🙂"
  };

  @Test
  void commandLineParserOnlyRunsOrExits2InOneLine() {
    Random random = new Random(SEED);
    // a parse builds picocli's whole model (a few ms): a third as many as the YAML's
    for (int i = 0; i < ITERATIONS / 3; i++) {
      List<String> args = new ArrayList<>();
      for (int n = random.nextInt(5); n > 0; n--) {
        String flag = FLAGS[random.nextInt(FLAGS.length)];
        args.add(
            random.nextInt(4) == 0 ? flag : flag + "=" + VALUES[random.nextInt(VALUES.length)]);
      }
      StringWriter err = new StringWriter();
      CommandLineParser.Outcome outcome;
      try {
        outcome =
            CommandLineParser.parse(
                args.toArray(String[]::new),
                new PrintWriter(Writer.nullWriter()),
                new PrintWriter(err, true));
      } catch (RuntimeException e) {
        fail("seed " + SEED + " iteration " + i + ": " + args, e);
        return;
      }
      if (outcome instanceof CommandLineParser.Exit exit) {
        assertEquals(2, exit.code(), args.toString());
        assertEquals(1, err.toString().lines().count(), args + ": " + err);
        assertTrue(err.toString().startsWith("containerd-exporter: error: "), err.toString());
      }
    }
  }

  /** One to four edits: flip, delete, duplicate a span, or insert a piece of YAML syntax. */
  static String mutate(String text, Random random) {
    StringBuilder s = new StringBuilder(text);
    for (int edits = 1 + random.nextInt(4); edits > 0 && s.length() > 0; edits--) {
      int at = random.nextInt(s.length());
      switch (random.nextInt(4)) {
        case 0 -> s.setCharAt(at, (char) (s.charAt(at) ^ (1 << random.nextInt(7))));
        case 1 -> s.delete(at, Math.min(s.length(), at + 1 + random.nextInt(20)));
        case 2 -> {
          int end = Math.min(s.length(), at + 1 + random.nextInt(40));
          s.insert(at, s.substring(at, end));
        }
        default -> s.insert(at, YAML_BITS[random.nextInt(YAML_BITS.length)]);
      }
    }
    return s.toString();
  }
}
