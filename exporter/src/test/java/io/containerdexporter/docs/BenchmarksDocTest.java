package io.containerdexporter.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Until docs/performance.md replaces it, docs/benchmarks.md says plainly that its series count is
 * not a node's.
 */
class BenchmarksDocTest {

  @Test
  void saysItsSeriesCountIsNotRealistic() throws Exception {
    Path doc = ReadmeFlagsTest.readme().resolveSibling("docs/benchmarks.md");
    String text = Files.readString(doc).replaceAll("\\s+", " ");
    assertTrue(
        text.contains("**Its series count is not realistic.** The cgroupfs here is empty"), text);
  }
}
