package io.containerdexporter.jmh;

import io.containerdexporter.exposition.ExpositionBody;
import io.containerdexporter.exposition.RenderedExposition;
import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One poll round's per-task families at 1000 tasks (45 families of cAdvisor's labels, one label
 * array per task shared by its families, as the collectors do): built and rendered to text the way
 * the exporter does now, against the client_java path it replaced (Labels and sorted snapshots,
 * then client_java's writer); and deflating the result at two levels. Run: {@code scripts/bench jmh
 * RoundRenderBenchmark} (or org.openjdk.jmh.Main with the bench classpath).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RoundRenderBenchmark {

  private static final int FAMILIES = 45;

  @Param("1000")
  int tasks;

  private List<FamilySpec> specs;
  private List<String[]> labels;
  private double[] values;
  private byte[] rendered;

  @Setup
  public void setUp() throws IOException {
    Random random = new Random(16);
    specs = new ArrayList<>();
    String[] names = ContainerIdentity.LABEL_NAMES.toArray(String[]::new);
    for (int f = 0; f < FAMILIES; f++) {
      specs.add(
          f % 3 == 0
              ? FamilySpec.counter("container_bench_" + f + "_total", "Family " + f + ".", names)
              : FamilySpec.gauge("container_bench_" + f, "Family " + f + ".", names));
    }
    labels = new ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      String id = hex(random, 64);
      String pod = "pod" + hex(random, 8) + "-" + hex(random, 4) + "-" + hex(random, 12);
      labels.add(
          new String[] {
            "/kubepods/burstable/" + pod + "/" + id,
            id,
            "registry.example.com/team/app-" + (t % 40) + ":1." + (t % 7) + ".0",
            "team-" + (t % 20),
            "app-" + (t % 40) + "-" + hex(random, 10) + "-" + hex(random, 5),
            "app",
            "k8s.io"
          });
    }
    values = new double[tasks * FAMILIES];
    for (int i = 0; i < values.length; i++) {
      values[i] = i % 2 == 0 ? random.nextInt(1 << 30) : random.nextDouble() * 1e6;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    render().writePlain(out);
    rendered = out.toByteArray();
  }

  private List<Family> build() {
    List<Family> families = new ArrayList<>(FAMILIES);
    for (int f = 0; f < FAMILIES; f++) {
      FamilyBuilder b = specs.get(f).builder();
      for (int t = 0; t < tasks; t++) {
        b.add(values[f * tasks + t], labels.get(t));
      }
      families.add(b.build());
    }
    return families;
  }

  private ExpositionBody render() {
    return new RenderedExposition(PrometheusTextFormatWriter.create(), false)
        .render(build(), EscapingScheme.UNDERSCORE_ESCAPING);
  }

  /** The poll's share: building the families. */
  @Benchmark
  public List<Family> build45Families() {
    return build();
  }

  /** Building and rendering one round, text format (what a prerender after a round does). */
  @Benchmark
  public long buildAndRenderText() {
    return render().plainLength();
  }

  @Benchmark
  public long buildAndRenderOpenMetrics() {
    return new RenderedExposition(OpenMetricsTextFormatWriter.create(), true)
        .render(build(), EscapingScheme.UNDERSCORE_ESCAPING)
        .plainLength();
  }

  /** What this replaced: client_java snapshots (Labels.of, sorting), then client_java's writer. */
  @Benchmark
  public int clientJavaSnapshotsAndWriter() throws IOException {
    MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
    for (Family f : build()) {
      snapshots.metricSnapshot(f.snapshot());
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 24);
    PrometheusTextFormatWriter.create()
        .write(out, snapshots.build(), EscapingScheme.UNDERSCORE_ESCAPING);
    return out.size();
  }

  /** The deflate level, apart so that only {@link #deflate} runs once per level. */
  @State(Scope.Benchmark)
  public static class Level {
    @Param({"1", "6"})
    int deflateLevel;
  }

  /** Deflating the round's text once (gzip is cached per round). */
  @Benchmark
  public long deflate(Level level) {
    Deflater deflater = new Deflater(level.deflateLevel, true);
    try {
      deflater.setInput(rendered);
      deflater.finish();
      byte[] buffer = new byte[1 << 16];
      long n = 0;
      while (!deflater.finished()) {
        n += deflater.deflate(buffer);
      }
      return n;
    } finally {
      deflater.end();
    }
  }

  private static String hex(Random random, int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      s.append(Character.forDigit(random.nextInt(16), 16));
    }
    return s.toString();
  }
}
