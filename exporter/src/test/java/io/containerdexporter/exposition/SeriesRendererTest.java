package io.containerdexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.SeriesFamily;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Property-style: random series (label values with quotes, backslashes, newlines, multi-byte UTF-8,
 * surrogate pairs and lone surrogates; values NaN, ±Inf, ±0, huge and fractional) rendered by
 * {@link SeriesRenderer} are byte for byte what client_java's writer writes for the same series, in
 * the text format and OpenMetrics, under every escaping scheme: the same header and the same lines
 * (client_java sorts series by labels; the renderer keeps the family's order).
 */
class SeriesRendererTest {

  private static final String[] PIECES = {
    "a",
    "Z",
    "0",
    "_",
    "-",
    "/",
    ".",
    ":",
    " ",
    "\"",
    "\\",
    "\n",
    "\t",
    "\r",
    "{",
    "}",
    "=",
    ",",
    "é",
    "ü",
    "中",
    "文",
    "€",
    "😀",
    "\uD83D",
    "\uDE00",
    "\u0000",
    "\u007f",
    "kubepods/burstable/pod"
  };

  private static final double[] SPECIAL = {
    Double.NaN,
    Double.POSITIVE_INFINITY,
    Double.NEGATIVE_INFINITY,
    0.0,
    -0.0,
    1.0,
    -1.0,
    1e21,
    9007199254740993.0,
    Long.MAX_VALUE,
    123456789012.5,
    1e-7,
    Double.MIN_VALUE,
    Double.MAX_VALUE
  };

  private static final List<FamilySpec> SPECS =
      List.of(
          FamilySpec.counter(
              "container_cpu_usage_seconds_total",
              Unit.SECONDS,
              "CPU \"time\" with a \\ and a\nnewline.",
              "id",
              "name",
              "image",
              "namespace",
              "pod",
              "container",
              "containerd_namespace"),
          FamilySpec.gauge(
              "container_memory_usage_bytes",
              Unit.BYTES,
              "Usage.",
              "id",
              "containerd_namespace",
              "device"),
          FamilySpec.gauge("containerd_up", "No labels."),
          FamilySpec.counter("containerd_events_total", "Events.", "type", "a_b"),
          FamilySpec.info("containerd_build_info", "Build.", "version", "revision"));

  private final Random random = new Random(16);

  @Test
  void textIsClientJavasForRandomSeries() throws IOException {
    assertSameAsClientJava(PrometheusTextFormatWriter.create(), false);
  }

  @Test
  void openMetricsIsClientJavasForRandomSeries() throws IOException {
    assertSameAsClientJava(OpenMetricsTextFormatWriter.create(), true);
  }

  @Test
  void aFamilyWithoutSeriesIsNothing() throws IOException {
    for (FamilySpec spec : SPECS) {
      SeriesFamily empty = spec.builder().build();
      for (EscapingScheme escaping : EscapingScheme.values()) {
        ExpositionFormatWriter writer = PrometheusTextFormatWriter.create();
        assertArrayEquals(
            written(writer, List.of(empty), escaping),
            rendered(new SeriesRenderer(writer, false), empty, escaping));
      }
    }
  }

  /** One label array passed to two families: the cached block must fit both. */
  @Test
  void aLabelBlockSharedByFamiliesIsEncodedOnceAndRightForEach() throws IOException {
    FamilySpec a = FamilySpec.gauge("a_gauge", "A.", "id", "containerd_namespace");
    FamilySpec b = FamilySpec.counter("b_total", "B.", "id", "containerd_namespace");
    FamilyBuilder fa = a.builder();
    FamilyBuilder fb = b.builder();
    for (int i = 0; i < 50; i++) {
      String[] labels = {"/task-" + i + randomValue(), "k8s.io"};
      fa.add(i, labels);
      fb.add(i * 2, labels);
    }
    List<Family> families = List.of(fa.build(), fb.build());
    ExpositionFormatWriter writer = PrometheusTextFormatWriter.create();
    ExpositionBody body =
        new RenderedExposition(writer, false).render(families, EscapingScheme.ALLOW_UTF8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.writePlain(out);
    assertEquals(
        sortedLines(written(writer, families, EscapingScheme.ALLOW_UTF8)),
        sortedLines(out.toByteArray()));
  }

  private void assertSameAsClientJava(ExpositionFormatWriter writer, boolean openMetrics)
      throws IOException {
    for (int round = 0; round < 200; round++) {
      FamilySpec spec = SPECS.get(random.nextInt(SPECS.size()));
      SeriesFamily family = randomFamily(spec, random.nextInt(12));
      for (EscapingScheme escaping : EscapingScheme.values()) {
        byte[] expected = written(writer, List.of(family), escaping);
        if (openMetrics) {
          expected = Arrays.copyOf(expected, expected.length - "# EOF\n".length());
        }
        byte[] actual = rendered(new SeriesRenderer(writer, openMetrics), family, escaping);
        // Same header, then the same lines byte for byte: client_java sorts series by labels,
        // the renderer keeps the family's order (sorted by values in declared order when small).
        assertEquals(header(expected), header(actual), spec.name() + " " + escaping);
        assertEquals(byteLines(expected), byteLines(actual), spec.name() + " " + escaping);
      }
    }
  }

  /** Series with distinct label sets, some with extra {@code container_label_*} pairs. */
  /** The renderer's bytes for one family, written as RenderedExposition has it write them. */
  private static byte[] rendered(
      SeriesRenderer renderer, SeriesFamily family, EscapingScheme escaping) {
    ExpositionBytes out = new ExpositionBytes(64);
    renderer.render(family, escaping, new SeriesRenderer.LabelBlocks(), out);
    return Arrays.copyOf(out.array(), out.size());
  }

  private SeriesFamily randomFamily(FamilySpec spec, int count) {
    List<String> names = spec.labelNames();
    boolean extras =
        !names.isEmpty() && spec.name().startsWith("container_") && random.nextBoolean();
    List<String[]> all = new ArrayList<>();
    Set<Labels> seen = new HashSet<>();
    for (int i = 0; i < count; i++) {
      String[] values = new String[names.size() + (extras ? 4 : 0)];
      for (int k = 0; k < names.size(); k++) {
        values[k] = randomValue();
      }
      if (extras) {
        values[names.size()] = "container_label_app";
        values[names.size() + 1] = randomValue();
        values[names.size() + 2] = "container_label_io_kubernetes_pod";
        values[names.size() + 3] = randomValue();
      }
      if (seen.add(labels(names, values))) {
        all.add(values);
      }
    }
    FamilyBuilder b = spec.builder();
    for (String[] values : all) {
      double v = SPECIAL[random.nextInt(SPECIAL.length)] * (random.nextBoolean() ? 1 : 0.5);
      // client_java refuses negative counters
      b.add(spec.type() == MetricType.COUNTER ? Math.abs(v) : v, values);
    }
    return b.build();
  }

  private static Labels labels(List<String> declared, String[] values) {
    List<String> names = new ArrayList<>(declared);
    List<String> own = new ArrayList<>(Arrays.asList(values).subList(0, declared.size()));
    for (int k = declared.size(); k < values.length; k += 2) {
      names.add(values[k]);
      own.add(values[k + 1]);
    }
    return Labels.of(names, own);
  }

  private String randomValue() {
    StringBuilder s = new StringBuilder();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      s.append(PIECES[random.nextInt(PIECES.length)]);
    }
    return s.toString();
  }

  private static byte[] written(
      ExpositionFormatWriter writer, List<Family> families, EscapingScheme escaping)
      throws IOException {
    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    families.forEach(f -> snapshots.metricSnapshot(f.snapshot()));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, snapshots.build(), escaping);
    return out.toByteArray();
  }

  /** The lines as ISO-8859-1 strings (one char per byte, so compared byte for byte), sorted. */
  private static List<String> byteLines(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1).lines().sorted().toList();
  }

  private static List<String> header(byte[] bytes) {
    return new String(bytes, StandardCharsets.ISO_8859_1)
        .lines()
        .takeWhile(l -> l.startsWith("# "))
        .toList();
  }

  private static List<String> sortedLines(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8).lines().sorted().toList();
  }
}
