package io.containerdexporter.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/performance.md keeps the sections scripts/bench regenerates, and a regeneration leaves the
 * hand-written text around them alone. Runs no benchmark.
 */
class PerformanceDocTest {

  @Test
  void docHasEveryGeneratedSectionAndTheHandWrittenOnes() throws Exception {
    String text = Files.readString(performanceDoc());
    for (String section : new String[] {"synthetic", "daemon", "jmh"}) {
      assertTrue(text.contains("<!-- bench:" + section + " -->"), section);
      assertTrue(text.contains("<!-- /bench:" + section + " -->"), section);
    }
    for (String heading :
        new String[] {
          "## The synthetic node", "## What changed and what it bought", "## Targets: which hold"
        }) {
      assertTrue(text.contains(heading), heading);
    }
  }

  private static Path performanceDoc() {
    // Maven runs tests in exporter/; an IDE may run them from the repository root.
    return List.of(Path.of("../docs/performance.md"), Path.of("docs/performance.md")).stream()
        .filter(Files::isRegularFile)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("docs/performance.md not found"));
  }

  @Test
  void replacingASectionKeepsWhatSurroundsIt(@TempDir Path dir) throws Exception {
    Path doc = dir.resolve("performance.md");
    Files.writeString(doc, "hand\n<!-- bench:daemon -->\nold\n<!-- /bench:daemon -->\nwritten\n");
    PerformanceDoc.replaceSection(doc, "daemon", "new\n");
    assertEquals(
        "hand\n<!-- bench:daemon -->\nnew\n<!-- /bench:daemon -->\nwritten\n",
        Files.readString(doc));
  }
}
