package io.containerdexporter.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A small parser of the Prometheus text format, enough for tests to ask "what is the value of this
 * series".
 */
public final class MetricsText {

  public record Sample(String name, Map<String, String> labels, double value) {}

  private final List<Sample> samples;
  private final String text;

  private MetricsText(String text, List<Sample> samples) {
    this.text = text;
    this.samples = samples;
  }

  public static MetricsText parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      samples.add(parseLine(line));
    }
    return new MetricsText(text, samples);
  }

  public String text() {
    return text;
  }

  public List<Sample> samples() {
    return samples;
  }

  public List<Sample> samples(String name) {
    return samples.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The value of the one series with this name whose labels include the given pairs. */
  public Optional<Double> value(String name, String... labelPairs) {
    List<Sample> matching = samples(name).stream().filter(s -> hasLabels(s, labelPairs)).toList();
    if (matching.size() > 1) {
      throw new IllegalStateException(
          matching.size() + " series match " + name + " " + List.of(labelPairs));
    }
    return matching.stream().findFirst().map(Sample::value);
  }

  private static boolean hasLabels(Sample s, String... pairs) {
    for (int i = 0; i < pairs.length; i += 2) {
      if (!pairs[i + 1].equals(s.labels().get(pairs[i]))) {
        return false;
      }
    }
    return true;
  }

  private static Sample parseLine(String line) {
    int brace = line.indexOf('{');
    int space;
    String name;
    Map<String, String> labels = new LinkedHashMap<>();
    if (brace >= 0 && brace < line.indexOf(' ')) {
      name = line.substring(0, brace);
      int i = brace + 1;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String key = line.substring(i, eq).trim();
        StringBuilder value = new StringBuilder();
        int j = eq + 2; // skip ="
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
          j++;
        }
        labels.put(key, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      space = line.indexOf(' ', i);
    } else {
      space = line.indexOf(' ');
      name = line.substring(0, space);
    }
    String[] rest = line.substring(space + 1).trim().split(" ");
    return new Sample(name, labels, parseValue(rest[0]));
  }

  private static double parseValue(String v) {
    return switch (v) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> Double.parseDouble(v);
    };
  }
}
