package io.containerdexporter.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rows of docs/metrics.md's metric tables, for the tests that hold the document to the code and
 * the scrape.
 */
public final class MetricsTable {

  public record Row(String name, String type, String unit, Set<String> labels, String meaning) {

    /** Rows marked _(cgroup v2)_ exist only on cgroup v2 hosts. */
    public boolean cgroupV2Only() {
      return meaning.contains("_(cgroup v2)_");
    }

    /** Rows marked _(block I/O accounting)_ need a kernel that charges block I/O to cgroups. */
    public boolean needsBlockIoAccounting() {
      return meaning.contains("_(block I/O accounting)_");
    }

    /**
     * Rows marked _(pull sources)_ need a pull source (containerd's log, journal or metrics
     * endpoint) and a pull: PullsIT holds them to a live scrape.
     */
    public boolean needsPullSource() {
      return meaning.contains("_(pull sources)_");
    }

    /** Rows marked _(after the first error)_ have series only once something went wrong. */
    public boolean onlyAfterAnError() {
      return meaning.contains("_(after the first error)_");
    }
  }

  private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");

  private MetricsTable() {}

  /**
   * docs/metrics.md, found from the exporter module (where Maven runs the tests) or the repository
   * root.
   */
  public static Path file() {
    for (Path candidate : List.of(Path.of("../docs/metrics.md"), Path.of("docs/metrics.md"))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "docs/metrics.md not found from " + Path.of("").toAbsolutePath());
  }

  /**
   * Rows naming one family; wildcard rows ({@code jvm_*}) are left out, see {@link
   * #wildcardPrefixes()}.
   */
  public static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    for (String[] cells : metricRows()) {
      String name = unquote(cells[0]);
      if (name.contains("*")) {
        continue;
      }
      Set<String> labels = new LinkedHashSet<>();
      Matcher m = BACKTICKED.matcher(cells[3]);
      while (m.find()) {
        labels.add(m.group(1));
      }
      rows.add(new Row(name, cells[1].strip(), cells[2].strip(), labels, cells[4]));
    }
    return rows;
  }

  /** Prefixes documented as a group, e.g. {@code jvm_} from a row {@code `jvm_*`, `process_*`}. */
  public static Set<String> wildcardPrefixes() {
    Set<String> prefixes = new LinkedHashSet<>();
    for (String[] cells : metricRows()) {
      Matcher m = BACKTICKED.matcher(cells[0]);
      while (m.find()) {
        if (m.group(1).endsWith("*")) {
          prefixes.add(m.group(1).substring(0, m.group(1).length() - 1));
        }
      }
    }
    return prefixes;
  }

  private static List<String[]> metricRows() {
    List<String> lines;
    try {
      lines = Files.readAllLines(file());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String[]> rows = new ArrayList<>();
    boolean inMetricTable = false;
    for (String line : lines) {
      if (!line.startsWith("|")) {
        inMetricTable = false;
        continue;
      }
      String[] cells =
          Arrays.stream(line.substring(1, line.lastIndexOf('|')).split("\\|", -1))
              .map(String::strip)
              .toArray(String[]::new);
      if (cells[0].equals("metric")) {
        inMetricTable = true;
        continue;
      }
      if (inMetricTable && !cells[0].startsWith("---")) {
        rows.add(cells);
      }
    }
    return rows;
  }

  private static String unquote(String cell) {
    Matcher m = BACKTICKED.matcher(cell);
    return m.find() ? m.group(1) : cell;
  }
}
