package io.containerdexporter.exposition;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.SeriesFamily;
import io.containerdexporter.metrics.SnapshotFamily;
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
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Encodes each family once per published state, kube-state-metrics style. Sources publish immutable
 * {@link Family}s (the poller once per round, the event path once per batch), so a family instance
 * seen before has bytes already: a scrape concatenates them, and only the few families built at
 * scrape time (the web counters) are encoded again; the JVM's are sampled once per round. Our own
 * families are written straight to bytes by {@link SeriesRenderer}, client_java's snapshots (JVM, a
 * histogram) by client_java's writer; the bytes are the same either writer would write.
 */
public final class RenderedExposition {

  private static final byte[] OPENMETRICS_EOF = "# EOF\n".getBytes(StandardCharsets.US_ASCII);
  private static final EncodedFamily EOF_PART = new EncodedFamily(OPENMETRICS_EOF);

  /**
   * Each thread renders its families into one buffer it keeps (the poller, once per round); one
   * grown beyond this by a huge family is let go rather than held between rounds.
   */
  private static final int KEPT_BUFFER_BYTES = 4 << 20;

  private static final ThreadLocal<ExpositionBytes> BUFFERS =
      ThreadLocal.withInitial(() -> new ExpositionBytes(64 << 10));

  private final ExpositionFormatWriter writer;
  private final SeriesRenderer series;
  private final boolean openMetrics;
  private final Map<EscapingScheme, Encodings> latest = new ConcurrentHashMap<>();
  private final LongAdder encoded = new LongAdder();

  /**
   * @param openMetrics whether {@code writer} ends its output with OpenMetrics' {@code # EOF}
   */
  public RenderedExposition(ExpositionFormatWriter writer, boolean openMetrics) {
    this.writer = writer;
    this.series = new SeriesRenderer(writer, openMetrics);
    this.openMetrics = openMetrics;
  }

  /**
   * The body for these families, in their order. Remembers this scrape's encodings and forgets
   * older ones, so memory holds one exposition per format and escaping.
   */
  public ExpositionBody render(List<Family> families, EscapingScheme escaping) {
    return render(families, escaping, true);
  }

  /**
   * As {@link #render(List, EscapingScheme)}; {@code plainWanted} false when only gzip scrapes ask
   * for this format lately, so that a family encoded now keeps only its deflated bytes.
   */
  public ExpositionBody render(
      List<Family> families, EscapingScheme escaping, boolean plainWanted) {
    Encodings previous = latest.getOrDefault(escaping, Encodings.NONE);
    Encodings current = new Encodings(families.size());
    List<EncodedFamily> parts = new ArrayList<>(families.size() + 1);
    SeriesRenderer.LabelBlocks blocks = new SeriesRenderer.LabelBlocks();
    for (Family family : families) {
      Object key = identity(family);
      EncodedFamily part = previous.byIdentity().get(key);
      if (part == null) {
        part = encode(family, escaping, blocks, previous, plainWanted);
      }
      current.byIdentity().put(key, part);
      current.byName().put(family.name(), part);
      parts.add(part);
    }
    if (openMetrics) {
      parts.add(EOF_PART);
    }
    latest.put(escaping, current);
    return new ExpositionBody(parts);
  }

  /** Lets go of the encodings kept for {@code escaping}: nobody asked for them lately. */
  public void forget(EscapingScheme escaping) {
    latest.remove(escaping);
  }

  /** The last scrape's encodings, by family instance and by family name. */
  private record Encodings(
      Map<Object, EncodedFamily> byIdentity, Map<String, EncodedFamily> byName) {
    static final Encodings NONE = new Encodings(0);

    Encodings(int size) {
      this(new IdentityHashMap<>(size * 2), new HashMap<>(size * 2));
    }
  }

  /** How many families were encoded so far (tests check that a repeated scrape encodes none). */
  long encodedFamilies() {
    return encoded.sum();
  }

  /**
   * client_java's snapshots are wrapped anew at every scrape: theirs is the identity that lasts.
   */
  private static Object identity(Family family) {
    return family instanceof SnapshotFamily s ? s.snapshot() : family;
  }

  private EncodedFamily encode(
      Family family,
      EscapingScheme escaping,
      SeriesRenderer.LabelBlocks blocks,
      Encodings last,
      boolean plainWanted) {
    encoded.increment();
    if (family instanceof SeriesFamily f) {
      ExpositionBytes buffer = BUFFERS.get();
      try {
        series.render(f, escaping, blocks, buffer);
        // A family that did not change since the last round (limits, start times, info) keeps its
        // deflated bytes and CRC: deflating is most of a round's exposition cost.
        EncodedFamily before = last.byName().get(f.name());
        if (before != null && before.encodes(buffer.array(), buffer.size())) {
          return before;
        }
        return EncodedFamily.of(buffer.array(), buffer.size(), plainWanted);
      } finally {
        buffer.clear();
        if (buffer.array().length > KEPT_BUFFER_BYTES) {
          BUFFERS.remove();
        }
      }
    }
    MetricSnapshot snapshot = family.snapshot();
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
    return plainWanted ? new EncodedFamily(bytes) : EncodedFamily.of(bytes, bytes.length, false);
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
