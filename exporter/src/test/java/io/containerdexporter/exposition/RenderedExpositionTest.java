package io.containerdexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.SeriesFamily;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class RenderedExpositionTest {

  private final PrometheusTextFormatWriter text = PrometheusTextFormatWriter.create();
  private final OpenMetricsTextFormatWriter openMetrics = OpenMetricsTextFormatWriter.create();

  @Test
  void textBytesAreClientJavasForTheSameSnapshots() throws IOException {
    assertSameBytesAsTheWriter(text, false);
  }

  @Test
  void openMetricsBytesAreClientJavasWithOneEof() throws IOException {
    assertSameBytesAsTheWriter(openMetrics, true);
  }

  private static void assertSameBytesAsTheWriter(ExpositionFormatWriter writer, boolean eof)
      throws IOException {
    MetricSnapshots snapshots = snapshots(3);
    ExpositionBody body =
        new RenderedExposition(writer, eof)
            .render(families(snapshots), EscapingScheme.UNDERSCORE_ESCAPING);
    assertArrayEquals(written(writer, snapshots), plain(body));
  }

  @Test
  void gzipBodyInflatesToThePlainBytesAndItsLengthIsExact() throws IOException {
    MetricSnapshots snapshots = snapshots(500);
    ExpositionBody body = openMetricsBody(snapshots);

    assertGzipInflatesTo(written(openMetrics, snapshots), body);
  }

  @Test
  void aRepeatedScrapeOfPublishedSnapshotsEncodesOnlyWhatIsNew() throws IOException {
    MetricSnapshots published = snapshots(3);
    RenderedExposition rendered = new RenderedExposition(text, false);
    rendered.render(families(published), EscapingScheme.UNDERSCORE_ESCAPING);
    long first = rendered.encodedFamilies();

    GaugeSnapshot live =
        GaugeSnapshot.builder()
            .name("live_gauge")
            .help("Built at scrape time.")
            .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(2).build())
            .build();
    MetricSnapshots.Builder next = MetricSnapshots.builder();
    published.forEach(next::metricSnapshot);
    MetricSnapshots scrape = next.metricSnapshot(live).build();
    ExpositionBody body = rendered.render(families(scrape), EscapingScheme.UNDERSCORE_ESCAPING);

    assertEquals(first + 1, rendered.encodedFamilies());
    assertArrayEquals(written(text, scrape), plain(body));
  }

  /**
   * What a gzip-only scraper leaves: the large families without their plain bytes, and still the
   * same bytes served both ways.
   */
  @Test
  void aBodyKeptDeflatedOnlyServesTheSameBytesPlainAndGzipped() throws IOException {
    MetricSnapshots snapshots = snapshots(500);
    ExpositionBody body = openMetricsBody(snapshots);
    long plainLength = body.plainLength();

    body.keep(false, true);

    assertTrue(body.heldPlainBytes() < 1024, "only the small families: " + body.heldPlainBytes());
    assertEquals(plainLength, body.plainLength());
    assertArrayEquals(written(openMetrics, snapshots), plain(body));
    assertGzipInflatesTo(written(openMetrics, snapshots), body);

    body.keep(true, true); // a plain scraper came back
    assertEquals(plainLength, body.heldPlainBytes());
  }

  /**
   * A family rendered again to the same bytes keeps its encoding though only its deflated bytes
   * were kept; one byte different of the same length is a new encoding.
   */
  @Test
  void aFamilyKeptDeflatedOnlyStillKnowsItsBytesAgain() throws IOException {
    FamilySpec spec = FamilySpec.gauge("container_memory_usage_bytes", "Usage.", "id");
    RenderedExposition rendered = new RenderedExposition(text, false);
    ExpositionBody first =
        rendered.render(List.of(tasks(spec, 1000, 7)), EscapingScheme.UNDERSCORE_ESCAPING);
    first.keep(false, true);
    assertEquals(0, first.heldPlainBytes());
    long encoded = rendered.encodedFamilies();

    ExpositionBody same =
        rendered.render(List.of(tasks(spec, 1000, 7)), EscapingScheme.UNDERSCORE_ESCAPING);
    assertEquals(0, same.heldPlainBytes(), "the kept encoding, not the new bytes");
    assertEquals(encoded + 1, rendered.encodedFamilies());

    SeriesFamily changed = tasks(spec, 1000, 8); // "…7" → "…8" in one series: same length
    ExpositionBody next = rendered.render(List.of(changed), EscapingScheme.UNDERSCORE_ESCAPING);
    assertEquals(next.plainLength(), next.heldPlainBytes(), "a new encoding holds its bytes");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    next.writePlain(out);
    assertTrue(out.toString(StandardCharsets.UTF_8).contains("id=\"task-999\"} 8.0\n"));

    // Encoded while only gzip is wanted: deflated straight from the render buffer, no plain copy.
    ExpositionBody gzipOnly =
        rendered.render(List.of(tasks(spec, 1000, 9)), EscapingScheme.UNDERSCORE_ESCAPING, false);
    assertEquals(0, gzipOnly.heldPlainBytes());
    ByteArrayOutputStream inflated = new ByteArrayOutputStream();
    gzipOnly.writePlain(inflated);
    assertEquals(next.plainLength(), inflated.size());
    assertTrue(inflated.toString(StandardCharsets.UTF_8).contains("id=\"task-999\"} 9.0\n"));
  }

  /** {@code count} series, all valued 1 but the last one, valued {@code last}. */
  private static SeriesFamily tasks(FamilySpec spec, int count, int last) {
    FamilyBuilder b = spec.builder();
    for (int i = 0; i < count; i++) {
      b.add(i == count - 1 ? last : 1, "task-" + i);
    }
    return b.build();
  }

  private ExpositionBody openMetricsBody(MetricSnapshots snapshots) {
    return new RenderedExposition(openMetrics, true)
        .render(families(snapshots), EscapingScheme.UNDERSCORE_ESCAPING);
  }

  /** The gzip body has exactly its announced length and inflates to {@code expected}. */
  private static void assertGzipInflatesTo(byte[] expected, ExpositionBody body)
      throws IOException {
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    body.writeGzip(gz);
    assertEquals(body.gzipLength(), gz.size());
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
      assertArrayEquals(expected, in.readAllBytes());
    }
  }

  private static List<Family> families(MetricSnapshots snapshots) {
    return snapshots.stream().map(Family::of).toList();
  }

  /** Counters, gauges with a unit, an info family and an empty family, with per-task labels. */
  private static MetricSnapshots snapshots(int tasks) {
    CounterSnapshot.Builder cpu =
        CounterSnapshot.builder()
            .name("container_cpu_usage_seconds")
            .help("Cumulative CPU time consumed.")
            .unit(Unit.SECONDS);
    GaugeSnapshot.Builder memory =
        GaugeSnapshot.builder()
            .name("container_memory_usage_bytes")
            .help("Current memory usage, \"with\" quotes\\ and a \n newline.")
            .unit(Unit.BYTES);
    InfoSnapshot.Builder info = InfoSnapshot.builder().name("containerd_info").help("Version.");
    for (int i = 0; i < tasks; i++) {
      Labels labels =
          Labels.of("containerd_namespace", "k8s.io", "id", "task-" + i, "name", "a\"b\\c\nd");
      cpu.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder().value(i * 1.5).labels(labels).build());
      memory.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder().value(1024.0 * i).labels(labels).build());
    }
    info.dataPoint(
        InfoSnapshot.InfoDataPointSnapshot.builder()
            .labels(Labels.of("version", "2.0.0", "revision", "abc"))
            .build());
    GaugeSnapshot empty = GaugeSnapshot.builder().name("no_series").help("Nothing yet.").build();
    return MetricSnapshots.builder()
        .metricSnapshot(cpu.build())
        .metricSnapshot(memory.build())
        .metricSnapshot(info.build())
        .metricSnapshot(empty)
        .build();
  }

  private static byte[] written(ExpositionFormatWriter writer, MetricSnapshots snapshots)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    writer.write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    return out.toByteArray();
  }

  private static byte[] plain(ExpositionBody body) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    body.writePlain(out);
    assertEquals(body.plainLength(), out.size());
    return out.toByteArray();
  }
}
