package io.containerdexporter.exposition;

import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.SeriesFamily;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.PrometheusNaming;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Writes a {@link SeriesFamily} in the Prometheus text format or OpenMetrics 1.0, byte for byte
 * what client_java's writer writes for the same series (SeriesRendererTest holds it to that), but
 * without building client_java's objects: each series is its name, its label block and its value.
 * The HELP/TYPE/UNIT lines and the escaped series name come from client_java's own writer, once per
 * family and escaping scheme, so they can't drift from it.
 */
final class SeriesRenderer {

  private final ExpositionFormatWriter writer;
  private final boolean openMetrics;
  private final Map<LayoutKey, Layout> layouts = new ConcurrentHashMap<>();

  private record LayoutKey(FamilySpec spec, EscapingScheme escaping) {}

  /**
   * What every series of a family shares in one escaping scheme: the HELP/TYPE lines, the name each
   * line starts with, and the declared labels in client_java's (sorted) order with their escaped
   * {@code name="} prefixes.
   */
  private record Layout(
      byte[] header, byte[] seriesName, int[] order, byte[][] prefixes, AtomicInteger lastSize) {}

  /**
   * @param openMetrics whether {@code writer} writes OpenMetrics (and ends with {@code # EOF})
   */
  SeriesRenderer(ExpositionFormatWriter writer, boolean openMetrics) {
    this.writer = writer;
    this.openMetrics = openMetrics;
  }

  /**
   * The label blocks ({@code {a="1",b="2"}}) encoded in one pass over several families, by the
   * identity of their label-value array: collectors hand the same array to every family of a
   * container, so each container's block is escaped and encoded once.
   */
  static final class LabelBlocks {
    // By the names' content: families declare equal lists, not always the same instance.
    private final Map<List<String>, IdentityHashMap<String[], byte[]>> byNames = new HashMap<>();

    IdentityHashMap<String[], byte[]> forNames(List<String> names) {
      return byNames.computeIfAbsent(names, n -> new IdentityHashMap<>(1024));
    }
  }

  /**
   * Appends the family's bytes to {@code out}: a buffer the caller keeps from family to family, so
   * that rendering a round allocates no array per family (at 1000 tasks ~22 MB of them, large
   * enough to go straight to the old generation, which then filled with each round's garbage).
   */
  void render(
      SeriesFamily family, EscapingScheme escaping, LabelBlocks blocks, ExpositionBytes out) {
    int n = family.size();
    if (n == 0) {
      return; // client_java writes nothing for a family without series
    }
    Layout layout =
        layouts.computeIfAbsent(
            new LayoutKey(family.spec(), escaping), k -> layout(k.spec(), k.escaping()));
    IdentityHashMap<String[], byte[]> cache = blocks.forNames(family.spec().labelNames());
    boolean info = family.spec().type() == MetricType.INFO;
    // The family's size last round, so that the buffer is rarely grown while it is written.
    int start = out.size();
    out.reserve(start + Math.max(layout.lastSize().get() * 9 / 8, layout.header().length + n * 64));
    out.write(layout.header());
    for (int i = 0; i < n; i++) {
      out.write(layout.seriesName());
      String[] values = family.labelValues(i);
      String[] extra = family.extraLabelNames(i);
      if (extra.length == 0) {
        byte[] block = cache.get(values);
        if (block == null) {
          int from = out.size();
          writeDeclaredLabels(out, layout, values);
          cache.put(values, out.copyFrom(from));
        } else {
          out.write(block);
        }
      } else {
        writeAllLabels(out, family.spec().labelNames(), extra, values, escaping);
      }
      out.write((byte) ' ');
      if (info) {
        out.write((byte) '1');
      } else {
        writeDouble(out, family.value(i));
      }
      out.write((byte) '\n');
    }
    layout.lastSize().set(out.size() - start);
  }

  private static void writeDeclaredLabels(ExpositionBytes out, Layout layout, String[] values) {
    int[] order = layout.order();
    if (order.length == 0) {
      return;
    }
    for (int j = 0; j < order.length; j++) {
      out.write(layout.prefixes()[j]);
      out.writeEscapedLabelValue(values[order[j]]);
      out.write((byte) '"');
    }
    out.write((byte) '}');
  }

  /** A series with labels beyond the declared ones: sorted and escaped for this series alone. */
  private static void writeAllLabels(
      ExpositionBytes out,
      List<String> declared,
      String[] extra,
      String[] values,
      EscapingScheme escaping) {
    String[] names = new String[declared.size() + extra.length];
    for (int i = 0; i < names.length; i++) {
      names[i] = i < declared.size() ? declared.get(i) : extra[i - declared.size()];
    }
    Integer[] order = new Integer[names.length];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparing(i -> names[i]));
    for (int j = 0; j < order.length; j++) {
      out.write((byte) (j == 0 ? '{' : ','));
      out.writeAscii(PrometheusNaming.escapeName(names[order[j]], escaping));
      out.write((byte) '=');
      out.write((byte) '"');
      out.writeEscapedLabelValue(values[order[j]]);
      out.write((byte) '"');
    }
    out.write((byte) '}');
  }

  /** As client_java's TextFormatUtil.writeDouble: Java's Double.toString, ±Inf spelled out. */
  private static void writeDouble(ExpositionBytes out, double d) {
    if (d == Double.POSITIVE_INFINITY) {
      out.writeAscii("+Inf");
    } else if (d == Double.NEGATIVE_INFINITY) {
      out.writeAscii("-Inf");
    } else {
      out.writeAscii(Double.toString(d));
    }
  }

  private Layout layout(FamilySpec spec, EscapingScheme escaping) {
    // client_java's writer, given one series without labels, writes the header lines and then
    // "NAME 0.0": take both from it.
    byte[] written = write(onePoint(spec), escaping);
    int end = written.length;
    if (openMetrics) {
      end -= "# EOF\n".length();
    }
    int lastLine = lastLineStart(written, end);
    int space = indexOf(written, (byte) ' ', lastLine);
    byte[] header = Arrays.copyOf(written, lastLine);
    byte[] seriesName = Arrays.copyOfRange(written, lastLine, space);

    List<String> names = spec.labelNames();
    Integer[] sorted = new Integer[names.size()];
    Arrays.setAll(sorted, i -> i);
    Arrays.sort(sorted, Comparator.comparing(names::get));
    int[] order = new int[sorted.length];
    byte[][] prefixes = new byte[sorted.length][];
    for (int j = 0; j < sorted.length; j++) {
      order[j] = sorted[j];
      String prefix =
          (j == 0 ? "{" : ",")
              + PrometheusNaming.escapeName(names.get(sorted[j]), escaping)
              + "=\"";
      prefixes[j] = prefix.getBytes(StandardCharsets.UTF_8);
    }
    return new Layout(header, seriesName, order, prefixes, new AtomicInteger());
  }

  private static MetricSnapshot onePoint(FamilySpec spec) {
    return switch (spec.type()) {
      case GAUGE ->
          GaugeSnapshot.builder()
              .name(spec.snapshotName())
              .help(spec.help())
              .unit(spec.unit())
              .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(0).build())
              .build();
      case COUNTER ->
          CounterSnapshot.builder()
              .name(spec.snapshotName())
              .help(spec.help())
              .unit(spec.unit())
              .dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(0).build())
              .build();
      case INFO ->
          InfoSnapshot.builder()
              .name(spec.snapshotName())
              .help(spec.help())
              .dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().build())
              .build();
      default -> throw new IllegalStateException("unsupported metric type " + spec.type());
    };
  }

  private byte[] write(MetricSnapshot snapshot, EscapingScheme escaping) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try {
      writer.write(out, MetricSnapshots.of(snapshot), escaping);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return out.toByteArray();
  }

  private static int lastLineStart(byte[] b, int end) {
    int i = end - 2; // skip the last line's own newline
    while (i >= 0 && b[i] != '\n') {
      i--;
    }
    return i + 1;
  }

  private static int indexOf(byte[] b, byte value, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    throw new IllegalStateException("no '" + (char) value + "' in client_java's series line");
  }
}
