package io.containerdexporter.pulls;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads one logfmt line as logrus' text formatter writes it (containerd's default): {@code
 * key=value} pairs separated by spaces, values either bare or double-quoted with Go's escapes. A
 * pure function; a broken line (an unterminated quote, a bad escape, no pair at all) is {@code
 * null}, never an exception.
 */
final class Logfmt {

  private Logfmt() {}

  /** The pairs in order, or null when the line is not logfmt. */
  static Map<String, String> parse(String line) {
    Map<String, String> pairs = new LinkedHashMap<>();
    int i = 0;
    int n = line.length();
    while (i < n) {
      while (i < n && line.charAt(i) == ' ') {
        i++;
      }
      if (i >= n) {
        break;
      }
      int keyStart = i;
      while (i < n && line.charAt(i) != '=' && line.charAt(i) != ' ' && line.charAt(i) != '"') {
        i++;
      }
      if (i >= n || line.charAt(i) != '=' || i == keyStart) {
        return null;
      }
      String key = line.substring(keyStart, i);
      i++; // '='
      StringBuilder value = new StringBuilder();
      if (i < n && line.charAt(i) == '"') {
        i = quoted(line, i + 1, value);
        if (i < 0 || (i < n && line.charAt(i) != ' ')) {
          return null;
        }
      } else {
        while (i < n && line.charAt(i) != ' ') {
          if (line.charAt(i) == '"') {
            return null;
          }
          value.append(line.charAt(i++));
        }
      }
      pairs.put(key, value.toString());
    }
    return pairs.isEmpty() ? null : pairs;
  }

  /** Unquotes from just after the opening quote; returns the index after the closing one, or -1. */
  private static int quoted(String line, int i, StringBuilder out) {
    int n = line.length();
    while (i < n) {
      char c = line.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c != '\\') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 >= n) {
        return -1;
      }
      char e = line.charAt(i + 1);
      i += 2;
      switch (e) {
        case '"', '\\', '\'' -> out.append(e);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'a', 'b', 'f', 'v' -> out.append(' ');
        case 'x', 'u', 'U' -> {
          int digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (i + digits > n) {
            return -1;
          }
          try {
            out.appendCodePoint(Integer.parseInt(line.substring(i, i + digits), 16));
          } catch (IllegalArgumentException bad) {
            return -1;
          }
          i += digits;
        }
        default -> {
          return -1;
        }
      }
    }
    return -1;
  }
}
