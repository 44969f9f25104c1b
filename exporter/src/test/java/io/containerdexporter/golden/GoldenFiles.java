package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Compares text with a checked-in file under src/test/resources/golden, or rewrites the file when
 * the build runs with {@code -Dgolden.update=true}.
 */
final class GoldenFiles {

  static final String UPDATE_PROPERTY = "golden.update";

  private GoldenFiles() {}

  /**
   * The source file (not the copy in target/test-classes): surefire runs tests in the module
   * directory.
   */
  static Path source(String name) {
    return Path.of(System.getProperty("basedir", ""))
        .toAbsolutePath()
        .resolve("src/test/resources/golden")
        .resolve(name);
  }

  static void assertMatches(String name, String actual) {
    Path file = source(name);
    try {
      if (Boolean.getBoolean(UPDATE_PROPERTY)) {
        Files.createDirectories(file.getParent());
        Files.writeString(file, actual, StandardCharsets.UTF_8);
        System.err.println(
            "golden file rewritten: " + file + " (review the diff before committing)");
        return;
      }
      if (!Files.exists(file)) {
        fail(
            "golden file "
                + file
                + " is missing; create it with -D"
                + UPDATE_PROPERTY
                + "=true and review it");
      }
      String expected = Files.readString(file, StandardCharsets.UTF_8);
      if (!expected.equals(actual)) {
        fail(
            "exposition differs from golden file "
                + file
                + " (- golden, + actual); if the change is intended, rerun "
                + "with -D"
                + UPDATE_PROPERTY
                + "=true and review the diff:\n"
                + diff(expected, actual));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A line diff, unified-style: common lines are kept only as a little context around changes.
   * Built from the longest common subsequence, which is fine for files of a few hundred lines.
   */
  static String diff(String expected, String actual) {
    List<String> a = expected.lines().toList();
    List<String> b = actual.lines().toList();
    int[][] lcs = new int[a.size() + 1][b.size() + 1];
    for (int i = a.size() - 1; i >= 0; i--) {
      for (int j = b.size() - 1; j >= 0; j--) {
        lcs[i][j] =
            a.get(i).equals(b.get(j))
                ? lcs[i + 1][j + 1] + 1
                : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    List<String> ops = new java.util.ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (i < a.size() && j < b.size() && a.get(i).equals(b.get(j))) {
        ops.add("  " + a.get(i++));
        j++;
      } else if (j < b.size() && (i == a.size() || lcs[i][j + 1] >= lcs[i + 1][j])) {
        ops.add("+ " + b.get(j++));
      } else {
        ops.add("- " + a.get(i++));
      }
    }
    StringBuilder out = new StringBuilder();
    int context = 2;
    int lastPrinted = -1;
    for (int k = 0; k < ops.size(); k++) {
      boolean near = false;
      for (int d = -context; d <= context && !near; d++) {
        int n = k + d;
        near = n >= 0 && n < ops.size() && !ops.get(n).startsWith("  ");
      }
      if (near) {
        if (lastPrinted >= 0 && k > lastPrinted + 1) {
          out.append("@@\n");
        }
        out.append(ops.get(k)).append('\n');
        lastPrinted = k;
      }
    }
    return out.toString();
  }
}
