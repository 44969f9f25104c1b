package io.containerdexporter.exposition;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Encodes each family once per published snapshot, kube-state-metrics style. Sources publish
 * immutable {@link MetricSnapshot}s (the poller once per round, the event path once per batch), so
 * a snapshot instance seen before has bytes already: a scrape concatenates them, and only the few
 * families built at scrape time (JVM, web counters) are encoded again. Generic over families: the
 * key is the snapshot's identity, whatever family it holds. Each family is written by client_java's
 * own writer, so the bytes are the writer's.
 */
public final class RenderedExposition {

  private static final byte[] OPENMETRICS_EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);
  private static final EncodedFamily EOF_PART = new EncodedFamily(OPENMETRICS_EOF);

  private final ExpositionFormatWriter writer;
  private final boolean openMetrics;
  private final Map<EscapingScheme, Map<MetricSnapshot, EncodedFamily>> latest =
      new ConcurrentHashMap<>();
  private final LongAdder encoded = new LongAdder();

  /**
   * @param openMetrics whether {@code writer} ends its output with OpenMetrics' {@code # EOF}
   */
  public RenderedExposition(ExpositionFormatWriter writer, boolean openMetrics) {
    this.writer = writer;
    this.openMetrics = openMetrics;
  }

  /**
   * The body for these snapshots, in their order. Remembers this scrape's encodings and forgets
   * older ones, so memory holds one exposition per format and escaping.
   */
  public ExpositionBody render(MetricSnapshots snapshots, EscapingScheme escaping) {
    Map<MetricSnapshot, EncodedFamily> previous = latest.getOrDefault(escaping, Map.of());
    Map<MetricSnapshot, EncodedFamily> current = new IdentityHashMap<>(snapshots.size() * 2);
    List<EncodedFamily> parts = new ArrayList<>(snapshots.size() + 1);
    for (MetricSnapshot snapshot : snapshots) {
      EncodedFamily part = previous.get(snapshot);
      if (part == null) {
        part = encode(snapshot, escaping);
      }
      current.put(snapshot, part);
      parts.add(part);
    }
    if (openMetrics) {
      parts.add(EOF_PART);
    }
    latest.put(escaping, current);
    return new ExpositionBody(parts);
  }

  /** How many families were encoded so far (tests check that a repeated scrape encodes none). */
  long encodedFamilies() {
    return encoded.sum();
  }

  private EncodedFamily encode(MetricSnapshot snapshot, EscapingScheme escaping) {
    encoded.increment();
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    try {
      writer.write(out, MetricSnapshots.of(snapshot), escaping);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    byte[] bytes = out.toByteArray();
    if (openMetrics) {
      bytes = withoutEof(bytes);
    }
    return new EncodedFamily(bytes);
  }

  private static byte[] withoutEof(byte[] bytes) {
    int start = bytes.length - OPENMETRICS_EOF.length;
    if (start < 0
        || !Arrays.equals(bytes, start, bytes.length, OPENMETRICS_EOF, 0, OPENMETRICS_EOF.length)) {
      throw new IllegalStateException("OpenMetrics writer output does not end with # EOF");
    }
    return Arrays.copyOf(bytes, start);
  }
}
