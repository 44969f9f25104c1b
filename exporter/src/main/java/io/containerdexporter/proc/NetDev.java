package io.containerdexporter.proc;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The parser of {@code /proc/<pid>/net/dev}: per interface of the process's network namespace, the
 * kernel's 16 counters (8 receive, 8 transmit) after the interface name and a colon. A pure
 * function: it never throws for what the text contains, it keeps every well-formed line and reports
 * the others, so one odd line costs one interface, not the pod.
 *
 * <p>Layout quirks it accepts (kernel {@code dev_seq_printf_stats}): the name is right-aligned in 6
 * columns, so short names carry leading spaces ({@code " eth0: 123 …"}) and long ones none ({@code
 * "veth1a2b3c4d: 123 …"}); kernels before 3.x printed {@code "%6s:%8llu"}, so a large first counter
 * touches the colon ({@code "eth0:123456789 …"}). The name ends at the <em>last</em> colon, as
 * prometheus/procfs has it: the counters never contain one.
 */
public final class NetDev {

  /**
   * Columns after the colon: bytes packets errs drop fifo frame compressed multicast, then 8
   * transmit columns.
   */
  static final int COLUMNS = 16;

  /**
   * One interface's counters, the eight cAdvisor exposes. Doubles, as Prometheus takes them: the
   * kernel's are unsigned 64-bit, and a double holds every value below 2^53 exactly (8 PiB).
   */
  public record Interface(
      String name,
      double receiveBytes,
      double receivePackets,
      double receiveErrors,
      double receiveDropped,
      double transmitBytes,
      double transmitPackets,
      double transmitErrors,
      double transmitDropped) {}

  /**
   * @param interfaces the well-formed lines, in file order, each name once
   * @param malformed the lines that were skipped (neither header, blank nor well formed), for
   *     counting and logging
   */
  public record Parsed(List<Interface> interfaces, List<String> malformed) {

    public Parsed {
      interfaces = List.copyOf(interfaces);
      malformed = List.copyOf(malformed);
    }
  }

  private NetDev() {}

  public static Parsed parse(String text) {
    List<Interface> interfaces = new ArrayList<>();
    List<String> malformed = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      if (line.isBlank()) {
        continue;
      }
      // The two header lines ("Inter-|   Receive …", " face |bytes …"); only there, so a stray '|'
      // later is an error.
      if (i < 2 && line.indexOf('|') >= 0) {
        continue;
      }
      Interface parsed = parseLine(line);
      // A second line for one name would be a duplicate series, which the exposition must never
      // have.
      if (parsed == null || !seen.add(parsed.name())) {
        malformed.add(line);
      } else {
        interfaces.add(parsed);
      }
    }
    return new Parsed(interfaces, malformed);
  }

  /** One interface line, or null if it is not one. */
  static Interface parseLine(String line) {
    int colon = line.lastIndexOf(':');
    if (colon < 0) {
      return null;
    }
    String name = line.substring(0, colon).strip();
    // The kernel's dev_valid_name forbids whitespace and '/' anywhere in a name: their presence
    // means garbage.
    if (name.isEmpty()
        || name.indexOf('/') >= 0
        || name.chars().anyMatch(Character::isWhitespace)) {
      return null;
    }
    // The counters, split on runs of spaces and tabs by hand (a regex split per line was most of
    // the parse); the text after the colon is stripped of all whitespace at both ends first.
    String counters = line.substring(colon + 1).strip();
    double[] v = new double[COLUMNS];
    int c = 0;
    int i = 0;
    while (i < counters.length()) {
      int start = i;
      while (i < counters.length() && counters.charAt(i) != ' ' && counters.charAt(i) != '\t') {
        i++;
      }
      if (c == COLUMNS) {
        return null; // more columns than the kernel writes
      }
      String field = counters.substring(start, i);
      if (!isUnsignedDecimal(field)) {
        return null;
      }
      v[c] = unsignedToDouble(field);
      if (Double.isNaN(v[c])) {
        return null;
      }
      c++;
      while (i < counters.length() && (counters.charAt(i) == ' ' || counters.charAt(i) == '\t')) {
        i++;
      }
    }
    if (c != COLUMNS) {
      return null;
    }
    // Receive: 0 bytes, 1 packets, 2 errs, 3 drop. Transmit starts at 8: 8 bytes, 9 packets, 10
    // errs, 11 drop.
    return new Interface(name, v[0], v[1], v[2], v[3], v[8], v[9], v[10], v[11]);
  }

  private static boolean isUnsignedDecimal(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return false;
      }
    }
    return true;
  }

  /** A u64 as a double; NaN if it is out of the u64 range (a corrupt line, not a real counter). */
  private static double unsignedToDouble(String digits) {
    long bits;
    try {
      bits = Long.parseUnsignedLong(digits);
    } catch (NumberFormatException tooLarge) {
      return Double.NaN;
    }
    return bits >= 0 ? bits : (double) (bits >>> 1) * 2.0 + (bits & 1);
  }
}
