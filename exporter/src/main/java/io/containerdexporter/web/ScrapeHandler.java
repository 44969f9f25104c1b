package io.containerdexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.containerdexporter.exposition.ExporterCollector;
import io.containerdexporter.exposition.ExpositionBody;
import io.containerdexporter.exposition.RenderedExposition;
import io.containerdexporter.metrics.Family;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The telemetry path. A plain GET for the text format or OpenMetrics 1 (what Prometheus sends) is
 * served from {@link RenderedExposition}: the families the poll and the event path published are
 * already encoded (and deflated), so the scrape copies bytes. Everything else client_java's handler
 * supports ({@code name[]=}, {@code debug=}, protobuf, OpenMetrics 2, HEAD, created timestamps)
 * goes to that handler unchanged, so negotiation stays exactly client_java's.
 */
final class ScrapeHandler implements HttpHandler {

  /** Families smaller than this are gathered into one write; larger ones go straight out. */
  private static final int WRITE_BUFFER = 64 << 10;

  private final PrometheusRegistry registry;
  private final ExporterCollector ours;
  private final HttpHandler fallback;
  private final ExpositionFormats formats;
  private final RenderedExposition text;
  private final RenderedExposition openMetrics;
  private final boolean gzipAllowed;
  private final boolean createdTimestamps;
  private final Map<Format, Asked> asked = new ConcurrentHashMap<>();

  /**
   * The registry's other families (jvm_*, process_*), sampled once per poll round like everything
   * else served: collecting them reads /proc/self and walks every thread's ThreadInfo, ~1.3 ms per
   * scrape, more than the rest of a scrape. Null until the first round or scrape samples them.
   */
  private volatile List<Family> runtime;

  /**
   * A format nobody asked for in this long is no longer encoded ahead, and its bytes are let go; a
   * plain one nobody asked for keeps only its deflated bytes. Longer than any scrape interval.
   */
  private static final Duration FORGOTTEN_AFTER = Duration.ofMinutes(10);

  /** A format and escaping a scraper asked for, so each round is encoded for it ahead. */
  private record Format(RenderedExposition rendered, EscapingScheme escaping) {}

  /** When a format was last asked for plain and gzip'd ({@link System#nanoTime}; null never). */
  private static final class Asked {
    private volatile Long plain;
    private volatile Long gzip;

    void now(boolean gzipped, long nanos) {
      if (gzipped) {
        gzip = nanos;
      } else {
        plain = nanos;
      }
    }

    boolean plainLately(long nanos) {
      return lately(plain, nanos);
    }

    boolean gzipLately(long nanos) {
      return lately(gzip, nanos);
    }

    private static boolean lately(Long at, long nanos) {
      return at != null && nanos - at < FORGOTTEN_AFTER.toNanos();
    }
  }

  /**
   * @param ours our families in {@code registry}, taken from it directly so that no client_java
   *     snapshot of them is built; null to take every family from the registry's snapshots
   */
  ScrapeHandler(
      PrometheusProperties properties,
      PrometheusRegistry registry,
      ExporterCollector ours,
      HttpHandler fallback) {
    this.registry = registry;
    this.ours = ours;
    this.fallback = fallback;
    this.formats = ExpositionFormats.init(properties);
    this.text = new RenderedExposition(formats.getPrometheusTextFormatWriter(), false);
    this.openMetrics = new RenderedExposition(formats.getOpenMetricsTextFormatWriter(), true);
    this.gzipAllowed = !properties.getExporterHttpServerProperties().isPreferUncompressedResponse();
    // With created timestamps the text writer puts every _created line after all families, so
    // its output is no longer one piece per family.
    this.createdTimestamps = properties.getExporterProperties().getIncludeCreatedTimestamps();
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    String accept = exchange.getRequestHeaders().getFirst("Accept");
    ExpositionFormatWriter writer = formats.findWriter(accept);
    RenderedExposition rendered = rendered(writer);
    if (rendered == null
        || createdTimestamps
        || !"GET".equals(exchange.getRequestMethod())
        || exchange.getRequestURI().getRawQuery() != null) {
      fallback.handle(exchange);
      return;
    }
    EscapingScheme escaping = EscapingScheme.fromAcceptHeader(accept);
    boolean gzip = gzipAllowed && acceptsGzip(exchange.getRequestHeaders().get("Accept-Encoding"));
    long now = System.nanoTime();
    Asked lately = asked.computeIfAbsent(new Format(rendered, escaping), f -> new Asked());
    lately.now(gzip, now);
    ExpositionBody body = rendered.render(families(), escaping, lately.plainLately(now));
    exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
    if (gzip) {
      exchange.getResponseHeaders().set("Content-Encoding", "gzip");
    }
    exchange.sendResponseHeaders(200, gzip ? body.gzipLength() : body.plainLength());
    // One socket write per family (and per byte of the gzip trailer) would be one syscall and,
    // with TCP_NODELAY, one segment each: a few hundred per scrape, more CPU than the rest of it.
    try (OutputStream out = new BufferedOutputStream(exchange.getResponseBody(), WRITE_BUFFER)) {
      if (gzip) {
        body.writeGzip(out);
      } else {
        body.writePlain(out);
      }
    }
    exchange.close();
  }

  /**
   * Encodes the published state for every format asked for lately: deflated when asked for with
   * gzip, and without its plain bytes unless asked for plain too (Prometheus always asks for gzip,
   * and the plain text is 5× the deflated bytes the old generation would carry between rounds).
   */
  void prerender() {
    runtime = sampleRuntime();
    if (asked.isEmpty()) {
      return;
    }
    List<Family> families = families();
    long now = System.nanoTime();
    for (Iterator<Map.Entry<Format, Asked>> it = asked.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<Format, Asked> e = it.next();
      Format f = e.getKey();
      boolean plain = e.getValue().plainLately(now);
      boolean gzip = e.getValue().gzipLately(now);
      if (!plain && !gzip) {
        it.remove();
        f.rendered().forget(f.escaping());
        continue;
      }
      f.rendered().render(families, f.escaping(), plain).keep(plain, gzip);
    }
  }

  /** Ours as published, then the registry's other families (JVM, process) as last sampled. */
  private List<Family> families() {
    if (ours == null) {
      return sampleRuntime();
    }
    List<Family> sampled = runtime;
    if (sampled == null) {
      sampled = sampleRuntime();
      runtime = sampled;
    }
    List<Family> out = new ArrayList<>(ours.families());
    out.addAll(sampled);
    return out;
  }

  /** The registry's families other than ours, as snapshots taken now. */
  private List<Family> sampleRuntime() {
    List<Family> out = new ArrayList<>();
    for (MetricSnapshot s : registry.scrape(name -> ours == null || !ours.serves(name))) {
      out.add(Family.of(s));
    }
    return List.copyOf(out);
  }

  private RenderedExposition rendered(ExpositionFormatWriter writer) {
    if (writer == formats.getPrometheusTextFormatWriter()) {
      return text;
    }
    if (writer == formats.getOpenMetricsTextFormatWriter()) {
      return openMetrics;
    }
    return null;
  }

  /** client_java's rule: any listed encoding equal to gzip, whatever its q-value. */
  static boolean acceptsGzip(List<String> headers) {
    if (headers == null) {
      return false;
    }
    for (String header : headers) {
      for (String encoding : header.split(",")) {
        if (encoding.trim().equalsIgnoreCase("gzip")) {
          return true;
        }
      }
    }
    return false;
  }
}
