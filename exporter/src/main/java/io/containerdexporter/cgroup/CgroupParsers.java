package io.containerdexporter.cgroup;

import io.containerdexporter.cgroup.CgroupStats.DeviceIo;
import io.containerdexporter.cgroup.CgroupStats.Pressure;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * Pure functions from the text of one cgroup file to values. No I/O, no state: every one either
 * returns or throws {@link MalformedCgroupFileException} ({@link #parseFlatKeyed} never throws: it
 * reports malformation in its result).
 *
 * <p>Strictness rules, shared by all: the kernel ends every line of every cgroup file with a
 * newline, so text that does not end in one was cut short (a truncated read) and its last line is
 * not trusted. Values are non-negative decimal integers that fit a signed 64-bit long; a sign, a
 * fraction, or 20 digits is malformed. (libcontainer clamps negative values to 0; we would rather
 * show nothing than a made-up 0.)
 */
public final class CgroupParsers {

  /**
   * USER_HZ: cpuacct.stat counts in these ticks. Fixed at 100 on Linux for user space, as
   * libcontainer assumes.
   */
  static final long USER_HZ = 100;

  private CgroupParsers() {}

  /**
   * A single-value file ({@code memory.usage_in_bytes}, {@code pids.current}, {@code
   * memory.current}, …).
   */
  public static long parseValue(String text) throws MalformedCgroupFileException {
    return parseCount(singleLine(text));
  }

  /**
   * A limit file ({@code pids.max}): "max" (no limit) is 0, as libcontainer and cAdvisor report it.
   */
  public static long parseLimit(String text) throws MalformedCgroupFileException {
    String line = singleLine(text);
    return line.equals("max") ? 0 : parseCount(line);
  }

  /**
   * A memory limit file (v1 {@code memory.soft_limit_in_bytes}, v2 {@code memory.low}): "max" (v2)
   * and v1's "unlimited" (the page-rounded {@code LONG_MAX}, anything from 2^62 up) are 0, as the
   * other limits are reported.
   */
  public static long parseMemoryLimit(String text) throws MalformedCgroupFileException {
    long value = parseLimit(text);
    return value >= V1_UNLIMITED ? 0 : value;
  }

  /** v1 memory files print "no limit" as LONG_MAX rounded down to a page: far above 2^62. */
  static final long V1_UNLIMITED = 1L << 62;

  /**
   * The period of a cgroup v2 {@code cpu.max}, "$MAX $PERIOD" (quota "max" when unlimited, e.g.
   * "max 100000"), in microseconds. The quota must be "max" or a count too: a line whose first half
   * is garbled is not trusted.
   */
  public static long parseCpuMaxPeriod(String text) throws MalformedCgroupFileException {
    String[] fields = singleLine(text).split(" ", -1);
    if (fields.length != 2) {
      throw new MalformedCgroupFileException("not '$MAX $PERIOD': " + abbreviate(text));
    }
    if (!fields[0].equals("max")) {
      parseCount(fields[0]);
    }
    return parseCount(fields[1]);
  }

  /**
   * A flat-keyed file ("key value" lines). Never throws: see {@link FlatKeyed} for how bad lines
   * are reported.
   */
  public static FlatKeyed parseFlatKeyed(String text) {
    Map<String, Long> values = new HashMap<>();
    Set<String> bad = new HashSet<>();
    boolean malformed = text.isEmpty();
    // A cut-short file may have lost any key after the cut, so none can be called absent.
    boolean complete = text.endsWith("\n");
    List<String> lines = lines(text);
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i);
      boolean truncated = i == lines.size() - 1 && !text.endsWith("\n");
      int space = line.indexOf(' ');
      if (space <= 0 || !isKey(line.substring(0, space))) {
        malformed = true;
        complete = false;
        continue;
      }
      String key = line.substring(0, space);
      if (truncated || bad.contains(key)) {
        malformed = true;
        bad.add(key);
        values.remove(key);
        continue;
      }
      try {
        long value = parseCount(line.substring(space + 1));
        if (values.putIfAbsent(key, value) != null) {
          throw new MalformedCgroupFileException("duplicate key " + key);
        }
      } catch (MalformedCgroupFileException e) {
        malformed = true;
        bad.add(key);
        values.remove(key);
      }
    }
    return new FlatKeyed(values, bad, complete, malformed);
  }

  /** Seconds from cpuacct.stat ticks. */
  public static double ticksToSeconds(long ticks) {
    return (double) ticks / USER_HZ;
  }

  /** Seconds from nanoseconds (cpuacct.usage, cpu.stat throttled_time). */
  public static double nanosToSeconds(long nanos) {
    return nanos / 1e9;
  }

  /** Seconds from microseconds (cgroup v2 cpu.stat, PSI totals). */
  public static double microsToSeconds(long micros) {
    return micros / 1e6;
  }

  /**
   * One cgroup v1 blkio table ({@code blkio.throttle.io_service_bytes_recursive} and friends):
   * lines "major:minor Op value", "major:minor value" (no op, e.g. sectors) and a closing "Total
   * value", which is skipped. Any bad line spoils the whole table, because a device's numbers are
   * spread over several lines.
   */
  public static List<BlkioEntry> parseBlkio(String text) throws MalformedCgroupFileException {
    List<BlkioEntry> entries = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String line : trustedLines(text)) {
      String[] fields = line.split(" ", -1);
      if (fields.length == 2 && fields[0].equals("Total")) {
        parseCount(fields[1]);
        continue;
      }
      if (fields.length != 2 && fields.length != 3) {
        throw new MalformedCgroupFileException("not 'major:minor [op] value': " + abbreviate(line));
      }
      long[] device = parseDevice(fields[0]);
      String op = fields.length == 3 ? fields[1] : "";
      if (fields.length == 3 && !isKey(op)) {
        throw new MalformedCgroupFileException("bad op in " + abbreviate(line));
      }
      if (!seen.add(fields[0] + " " + op)) {
        throw new MalformedCgroupFileException("duplicate " + fields[0] + " " + op);
      }
      entries.add(new BlkioEntry(device[0], device[1], op, parseCount(fields[fields.length - 1])));
    }
    return List.copyOf(entries);
  }

  /**
   * Per-device I/O from the two v1 tables, the way cAdvisor reads them: bytes from the
   * io_service_bytes table, operations from the io_serviced table, "Read" and "Write" ops (Sync,
   * Async, Discard and Total are other cuts of the same I/O). Sorted by device; a device in only
   * one table gets 0 for the other's numbers.
   */
  public static List<DeviceIo> combineBlkio(
      List<BlkioEntry> serviceBytes, List<BlkioEntry> serviced) {
    Map<Long, long[]> byDevice =
        new HashMap<>(); // {major, minor, readBytes, writeBytes, reads, writes}
    accumulate(byDevice, serviceBytes, 2);
    accumulate(byDevice, serviced, 4);
    return byDevice.values().stream()
        .map(v -> new DeviceIo(v[0], v[1], v[2], v[3], v[4], v[5]))
        .sorted(DEVICE_ORDER)
        .toList();
  }

  private static void accumulate(
      Map<Long, long[]> byDevice, List<BlkioEntry> entries, int readIndex) {
    for (BlkioEntry e : entries) {
      int index;
      if (e.op().equals("Read")) {
        index = readIndex;
      } else if (e.op().equals("Write")) {
        index = readIndex + 1;
      } else {
        continue;
      }
      byDevice
              .computeIfAbsent(
                  e.major() << 32 | e.minor(), k -> new long[] {e.major(), e.minor(), 0, 0, 0, 0})[
              index] =
          e.value();
    }
  }

  /**
   * cgroup v2 {@code io.stat}: "major:minor rbytes=… wbytes=… rios=… wios=… dbytes=… dios=…" per
   * device. An empty file is normal (no I/O yet). Keys we do not map (dbytes, dios, cost.*, depth,
   * …) are ignored, values unchecked, as libcontainer ignores them; a missing key counts 0, and a
   * device with none of ours is not reported.
   *
   * <p>Lines the kernel really writes and we skip, as libcontainer's fs2 statIo does
   * (opencontainers/cgroups {@code fs2/io.go}): a device with no values ("11:0 " — a blkg that
   * exists, e.g. for an io.max rule, but has seen no I/O: the kernel prints the name and a space
   * and only then, if any, the numbers), and a key that is not "major:minor" at all ("(unknown) "
   * for a queue whose disk has no device name). Fields are separated by runs of spaces: an I/O
   * policy's own stats start with a space of their own ("8:0 cost.vrate=…" when there was no I/O).
   *
   * <p>What still spoils the file (counted as a read error, like {@link #parseBlkio}): text cut
   * short, a blank line, a "major:minor" key that is not a device number, a field that is not
   * key=value, a mapped key whose value is not a count or that appears twice, a device listed
   * twice. Those mean the text is not what the kernel writes, and then no number in it is trusted.
   */
  public static List<DeviceIo> parseIoStat(String text) throws MalformedCgroupFileException {
    List<DeviceIo> devices = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String line : trustedLines(text)) {
      String[] fields = line.trim().split(" +");
      if (fields.length < 2 || !isDeviceKey(fields[0])) {
        continue; // no values yet, or not a device: nothing to report, and not an error
      }
      long[] device = parseDevice(fields[0]);
      if (!seen.add(fields[0])) {
        throw new MalformedCgroupFileException("duplicate device " + fields[0]);
      }
      Map<String, Long> kv = new HashMap<>();
      for (int i = 1; i < fields.length; i++) {
        int eq = fields[i].indexOf('=');
        if (eq <= 0 || eq == fields[i].length() - 1) {
          throw new MalformedCgroupFileException("not key=value: " + abbreviate(fields[i]));
        }
        String key = fields[i].substring(0, eq);
        if (IO_KEYS.contains(key) && kv.put(key, parseCount(fields[i].substring(eq + 1))) != null) {
          throw new MalformedCgroupFileException("duplicate key " + key);
        }
      }
      if (kv.isEmpty()) {
        continue; // only a policy's own stats (cost.*, depth=…): libcontainer reports no I/O for
        // the device either
      }
      devices.add(
          new DeviceIo(
              device[0],
              device[1],
              kv.getOrDefault("rbytes", 0L),
              kv.getOrDefault("wbytes", 0L),
              kv.getOrDefault("rios", 0L),
              kv.getOrDefault("wios", 0L)));
    }
    devices.sort(DEVICE_ORDER);
    return List.copyOf(devices);
  }

  /**
   * Whether an io.stat key names a device: exactly one colon, as libcontainer tells them apart.
   * Such a key must then be a valid major:minor ({@link #parseDevice} throws otherwise); anything
   * else ("(unknown)") is skipped.
   */
  private static boolean isDeviceKey(String key) {
    int colon = key.indexOf(':');
    return colon >= 0 && key.indexOf(':', colon + 1) < 0;
  }

  private static final Set<String> IO_KEYS = Set.of("rbytes", "wbytes", "rios", "wios");

  private static final Comparator<DeviceIo> DEVICE_ORDER =
      Comparator.comparingLong(DeviceIo::major).thenComparingLong(DeviceIo::minor);

  /**
   * A PSI file ({@code cpu.pressure}, {@code memory.pressure}, {@code io.pressure}): "some avg10=…
   * avg60=… avg300=… total=<µs>" and, where the kernel has it, the same for "full". Totals become
   * seconds. Other lines are ignored, as libcontainer ignores them; "some" is required.
   */
  public static Pressure parsePressure(String text) throws MalformedCgroupFileException {
    Map<String, Long> totals = new LinkedHashMap<>();
    for (String line : trustedLines(text)) {
      String[] fields = line.split(" ", -1);
      if (!fields[0].equals("some") && !fields[0].equals("full")) {
        continue;
      }
      if (totals.containsKey(fields[0])) {
        throw new MalformedCgroupFileException("duplicate " + fields[0] + " line");
      }
      totals.put(fields[0], parsePsiLine(fields));
    }
    Long some = totals.get("some");
    if (some == null) {
      throw new MalformedCgroupFileException("no 'some' line");
    }
    Long full = totals.get("full");
    return new Pressure(
        microsToSeconds(some),
        full == null ? OptionalDouble.empty() : OptionalDouble.of(microsToSeconds(full)));
  }

  private static long parsePsiLine(String[] fields) throws MalformedCgroupFileException {
    Long total = null;
    for (int i = 1; i < fields.length; i++) {
      int eq = fields[i].indexOf('=');
      if (eq <= 0) {
        throw new MalformedCgroupFileException("not key=value: " + abbreviate(fields[i]));
      }
      String key = fields[i].substring(0, eq);
      String value = fields[i].substring(eq + 1);
      if (key.equals("total")) {
        if (total != null) {
          throw new MalformedCgroupFileException("duplicate total");
        }
        total = parseCount(value);
      } else if (key.startsWith("avg")) {
        parseAverage(value); // unused, but a garbled average means the line cannot be trusted
      }
    }
    if (total == null) {
      throw new MalformedCgroupFileException("no total");
    }
    return total;
  }

  private static void parseAverage(String value) throws MalformedCgroupFileException {
    // The kernel prints "%lu.%02lu": digits, a dot, two digits.
    int dot = value.indexOf('.');
    if (dot <= 0
        || !isDigits(value.substring(0, dot))
        || !isDigits(value.substring(dot + 1))
        || value.length() > 24) {
      throw new MalformedCgroupFileException("bad PSI average " + abbreviate(value));
    }
  }

  /** The number of processes in {@code cgroup.procs} (one PID per line; empty when none). */
  public static long countProcesses(String text) throws MalformedCgroupFileException {
    long count = 0;
    for (String line : trustedLines(text)) {
      parseCount(line);
      count++;
    }
    return count;
  }

  /** The PIDs in {@code cgroup.procs}, in the file's order (empty when none). */
  public static List<Long> parseProcesses(String text) throws MalformedCgroupFileException {
    List<Long> pids = new ArrayList<>();
    for (String line : trustedLines(text)) {
      pids.add(parseCount(line));
    }
    return pids;
  }

  /**
   * A non-negative decimal that fits a long: digits only, no sign, no spaces.
   *
   * @throws MalformedCgroupFileException for anything else, including a value beyond {@link
   *     Long#MAX_VALUE}
   */
  public static long parseCount(String s) throws MalformedCgroupFileException {
    if (!isDigits(s)) {
      throw new MalformedCgroupFileException("not a non-negative integer: " + abbreviate(s));
    }
    if (s.length() > 19) {
      throw new MalformedCgroupFileException("out of range: " + abbreviate(s));
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      throw new MalformedCgroupFileException("out of range: " + abbreviate(s));
    }
  }

  private static long[] parseDevice(String s) throws MalformedCgroupFileException {
    int colon = s.indexOf(':');
    if (colon <= 0) {
      throw new MalformedCgroupFileException("not major:minor: " + abbreviate(s));
    }
    long major = parseCount(s.substring(0, colon));
    long minor = parseCount(s.substring(colon + 1));
    // Linux dev_t: 12-bit major, 20-bit minor. Anything larger is not a device number.
    if (major >= 1 << 12 || minor >= 1 << 20) {
      throw new MalformedCgroupFileException("device number out of range: " + abbreviate(s));
    }
    return new long[] {major, minor};
  }

  private static String singleLine(String text) throws MalformedCgroupFileException {
    List<String> lines = trustedLines(text);
    if (lines.size() != 1) {
      throw new MalformedCgroupFileException(lines.isEmpty() ? "empty" : "more than one line");
    }
    return lines.get(0);
  }

  /** The lines of a file that must be complete: cut-short text and blank lines are malformed. */
  private static List<String> trustedLines(String text) throws MalformedCgroupFileException {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new MalformedCgroupFileException("truncated: no newline at the end");
    }
    List<String> lines = lines(text);
    for (String line : lines) {
      if (line.isEmpty()) {
        throw new MalformedCgroupFileException("blank line");
      }
    }
    return lines;
  }

  /** Lines without their terminators; a final newline does not start another line. */
  private static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = text.indexOf('\n', start);
      if (end < 0) {
        end = text.length();
      }
      lines.add(text.substring(start, end));
      start = end + 1;
    }
    return lines;
  }

  private static boolean isKey(String s) {
    if (s.isEmpty() || s.length() > 64) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!(c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || c == '_'
          || c == '.'
          || c == '-')) {
        return false;
      }
    }
    return true;
  }

  private static boolean isDigits(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** Keeps log lines short and printable whatever the file held. */
  static String abbreviate(String s) {
    String shown = s.length() > 40 ? s.substring(0, 40) + "…" : s;
    StringBuilder out = new StringBuilder(shown.length() + 2).append('\'');
    for (int i = 0; i < shown.length(); i++) {
      char c = shown.charAt(i);
      out.append(c >= 0x20 && c < 0x7f || c == '…' ? c : '?');
    }
    return out.append('\'').toString();
  }

  /** One line of a v1 blkio table; {@code op} is "" where the table has none. */
  public record BlkioEntry(long major, long minor, String op, long value) {}
}
