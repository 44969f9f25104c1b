package io.containerdexporter.exposition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.metrics.Family;
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
    ExpositionBody body =
        new RenderedExposition(openMetrics, true)
            .render(families(snapshots), EscapingScheme.UNDERSCORE_ESCAPING);

    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    body.writeGzip(gz);

    assertEquals(body.gzipLength(), gz.size());
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz.toByteArray()))) {
      assertArrayEquals(written(openMetrics, snapshots), in.readAllBytes());
    }
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
