package io.containerdexporter.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * docs/performance.md's generated sections: each lies between {@code <!-- bench:NAME -->} and
 * {@code <!-- /bench:NAME -->} and is replaced whole by the benchmark that owns it, so the
 * hand-written sections around them survive a re-run.
 */
final class PerformanceDoc {

  static final Path DEFAULT = Path.of("docs/performance.md");

  private PerformanceDoc() {}

  static void replaceSection(Path doc, String name, String body) {
    String open = "<!-- bench:" + name + " -->";
    String close = "<!-- /bench:" + name + " -->";
    try {
      String text = Files.readString(doc);
      int start = text.indexOf(open);
      int end = text.indexOf(close);
      if (start < 0 || end < start) {
        throw new IllegalStateException(doc + " has no " + open + " … " + close + " section");
      }
      String updated =
          text.substring(0, start + open.length())
              + "\n"
              + body.strip()
              + "\n"
              + text.substring(end);
      Files.writeString(doc, updated);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One line on when and where a section was measured, and how busy the machine was. */
  static String measuredOn(double loadBefore, double loadAfter) {
    return String.format(
        "Measured %s on %s, %d cores, %.0f GiB, Linux %s, JVM %s; load average (1 min) %.1f"
            + " before, %.1f after.",
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        cpuModel(),
        Runtime.getRuntime().availableProcessors(),
        memTotalGib(),
        System.getProperty("os.version"),
        System.getProperty("java.vm.version"),
        loadBefore,
        loadAfter);
  }

  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String cpuModel() {
    try {
      return Files.readAllLines(Path.of("/proc/cpuinfo")).stream()
          .filter(l -> l.startsWith("model name"))
          .map(l -> l.substring(l.indexOf(':') + 1).strip())
          .findFirst()
          .orElse("unknown CPU");
    } catch (IOException e) {
      return "unknown CPU";
    }
  }

  private static double memTotalGib() {
    try {
      return Files.readAllLines(Path.of("/proc/meminfo")).stream()
              .filter(l -> l.startsWith("MemTotal:"))
              .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", "")))
              .findFirst()
              .orElse(0)
          / 1048576.0;
    } catch (IOException e) {
      return 0;
    }
  }
}
