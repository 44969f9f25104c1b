package io.containerdexporter.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.collect.CollectorCatalog;
import io.containerdexporter.config.CollectorSwitch;
import io.containerdexporter.config.CommandLineParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * README's flags table lists exactly the flags --help does, and every collector with its default.
 */
class ReadmeFlagsTest {

  private static final Pattern FLAG = Pattern.compile("--(?:\\[no-])?[a-z][\\w.-]*[\\w]");

  @Test
  void theFlagsTableHasEveryFlagOfHelpAndNoOther() throws IOException {
    Set<String> help = new TreeSet<>();
    for (String line : help().split("\n")) {
      if (line.startsWith("  -")) { // a flag's entry; descriptions are indented further
        Matcher m = FLAG.matcher(line.strip().split(" {2,}")[0]);
        while (m.find()) {
          help.add(m.group());
        }
      }
    }
    help.removeIf(f -> f.startsWith("--[no-]collector."));
    help.add("--[no-]collector.NAME");

    Set<String> readme = new TreeSet<>();
    for (String row : flagRows()) {
      Matcher m = FLAG.matcher(row.split("\\|")[1]);
      while (m.find()) {
        readme.add(m.group());
      }
    }
    assertEquals(help, readme, "flags in --help vs. README's flags table");
  }

  @Test
  void theCollectorRowNamesEveryCollectorUnderItsDefault() throws IOException {
    String row =
        flagRows().stream()
            .filter(r -> r.startsWith("| `--[no-]collector.NAME`"))
            .findFirst()
            .orElseThrow();
    String on = row.substring(row.indexOf("On by default:"), row.indexOf("Off by default:"));
    String off = row.substring(row.indexOf("Off by default:"));
    for (CollectorSwitch c : CollectorCatalog.switches()) {
      assertTrue(
          (c.enabledByDefault() ? on : off).contains("`" + c.name() + "`"),
          c.name() + " under its default in: " + row);
    }
  }

  private static String help() {
    StringWriter out = new StringWriter();
    CommandLineParser.parse(
        new String[] {"--help"},
        CollectorCatalog.switches(),
        new PrintWriter(out, true),
        new PrintWriter(new StringWriter(), true));
    return out.toString();
  }

  /** The table rows under "## Flags", header and rule left out. */
  static List<String> flagRows() throws IOException {
    String readme = Files.readString(readme());
    String section = readme.substring(readme.indexOf("## Flags"));
    section = section.substring(0, section.indexOf("\n## ", 1));
    return section.lines().filter(l -> l.startsWith("| `")).toList();
  }

  static Path readme() {
    for (Path candidate : List.of(Path.of("../README.md"), Path.of("README.md"))) {
      if (Files.isRegularFile(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("README.md not found from " + Path.of("").toAbsolutePath());
  }
}
