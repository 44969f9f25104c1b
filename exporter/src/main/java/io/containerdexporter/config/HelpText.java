package io.containerdexporter.config;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * {@code --help}, laid out like kingpin's (node_exporter's): one flag per entry, its name and value
 * whole on the left, its description wrapped at spaces only. picocli's own layout breaks lines
 * after any "." or "/", which cuts flag names like {@code --poll.interval} in two; a name a reader
 * can't copy whole is worse than a ragged edge.
 */
final class HelpText {

  static final int WIDTH = 110;
  private static final int INDENT = 2;
  private static final int GAP = 3;

  private HelpText() {}

  static String render(CommandSpec spec, String synopsis, String description) {
    List<String[]> rows = new ArrayList<>();
    int nameWidth = 0;
    List<OptionSpec> options = new ArrayList<>(spec.options());
    // --help and --version last, as kingpin lists them: the flags that configure the exporter come
    // first.
    options.sort(java.util.Comparator.comparing(o -> o.usageHelp() || o.versionHelp()));
    for (OptionSpec option : options) {
      if (option.hidden()) {
        continue;
      }
      String name = name(option);
      nameWidth = Math.max(nameWidth, name.length());
      rows.add(new String[] {name, String.join(" ", option.description())});
    }
    StringBuilder out = new StringBuilder();
    out.append("Usage: ")
        .append(synopsis)
        .append("\n\n")
        .append(description)
        .append("\n\nFlags:\n");
    int descriptionColumn = INDENT + nameWidth + GAP;
    for (String[] row : rows) {
      out.append(" ".repeat(INDENT)).append(row[0]);
      List<String> lines = wrap(row[1], WIDTH - descriptionColumn);
      for (int i = 0; i < lines.size(); i++) {
        int pad = i == 0 ? descriptionColumn - INDENT - row[0].length() : descriptionColumn;
        out.append(" ".repeat(pad)).append(lines.get(i)).append('\n');
      }
      if (lines.isEmpty()) {
        out.append('\n');
      }
    }
    return out.toString();
  }

  /** {@code -h, --help}, {@code --poll.interval=DURATION}, {@code --[no-]collector.tasks}. */
  private static String name(OptionSpec option) {
    List<String> names = new ArrayList<>();
    for (String n : option.names()) {
      names.add(option.negatable() ? "--[no-]" + n.substring(2) : n);
    }
    String joined = String.join(", ", names);
    return option.arity().max() > 0 ? joined + "=" + option.paramLabel() : joined;
  }

  /** Greedy wrap at spaces; a word longer than the width stays whole on its own line. */
  static List<String> wrap(String text, int width) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    for (String word : text.trim().split("\\s+")) {
      if (word.isEmpty()) {
        continue;
      }
      if (line.length() > 0 && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line.setLength(0);
      }
      if (line.length() > 0) {
        line.append(' ');
      }
      line.append(word);
    }
    if (line.length() > 0) {
      lines.add(line.toString());
    }
    return lines;
  }
}
