package io.containerdexporter.bench;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Scrapes one endpoint over one kept-alive HTTP/1.1 connection, as Prometheus does, and times each
 * scrape from request to last byte.
 */
final class Scraper {

  /** The Accept header Prometheus 3 sends with its default scrape_protocols. */
  static final String PROMETHEUS_3_ACCEPT =
      "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
          + "application/openmetrics-text;version=0.0.1;q=0.4,"
          + "text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
          + "text/plain;version=0.0.4;q=0.2,*/*;q=0.1";

  /** How a scraper asks: Prometheus 3 (OpenMetrics, gzip) or a plain curl-like GET. */
  enum Ask {
    PROMETHEUS(PROMETHEUS_3_ACCEPT, true),
    PLAIN("text/plain", false);

    final String accept;
    final boolean gzip;

    Ask(String accept, boolean gzip) {
      this.accept = accept;
      this.gzip = gzip;
    }
  }

  /** One scrape: how long it took, how many bytes came over the wire, the decoded text. */
  record Scrape(double millis, int wireBytes, String text) {}

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final URI uri;

  Scraper(String url) {
    this.uri = URI.create(url);
  }

  Scrape scrape(Ask ask) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).header("Accept", ask.accept);
    if (ask.gzip) {
      request.header("Accept-Encoding", "gzip");
    }
    try {
      long start = System.nanoTime();
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      double millis = (System.nanoTime() - start) / 1e6;
      if (response.statusCode() != 200) {
        throw new IllegalStateException(uri + " answered " + response.statusCode());
      }
      byte[] body = response.body();
      boolean gzipped = response.headers().firstValue("Content-Encoding").orElse("").equals("gzip");
      return new Scrape(millis, body.length, gzipped ? gunzip(body) : utf8(body));
    } catch (IOException e) {
      throw new UncheckedIOException("scraping " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code n} scrapes by curl over one kept-alive connection, each body thrown away as it arrives,
   * compressed or not: a client that reads as fast as the socket delivers, so what a scrape costs
   * is the exporter's own cost and not the client's pace (Java's HttpClient above also inflates and
   * decodes each body between scrapes). The scrapes carry no text.
   */
  List<Scrape> curl(Ask ask, int n) {
    List<String> command =
        new ArrayList<>(List.of("curl", "--silent", "--show-error", "--http1.1"));
    command.addAll(List.of("-H", "Accept: " + ask.accept));
    if (ask.gzip) {
      command.addAll(List.of("-H", "Accept-Encoding: gzip")); // not --compressed: never inflated
    }
    command.addAll(List.of("-w", "%{http_code} %{time_total} %{size_download}\\n"));
    for (int i = 0; i < n; i++) {
      command.addAll(List.of("-o", "/dev/null", uri.toString()));
    }
    try {
      Process curl =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      List<Scrape> scrapes = new ArrayList<>();
      for (String line :
          new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8).split("\\n")) {
        String[] f = line.trim().split(" ");
        if (!f[0].equals("200")) {
          throw new IllegalStateException("curl " + uri + " answered '" + line + "'");
        }
        scrapes.add(new Scrape(Double.parseDouble(f[1]) * 1000, Integer.parseInt(f[2]), ""));
      }
      if (curl.waitFor() != 0 || scrapes.size() != n) {
        throw new IllegalStateException(
            "curl " + uri + " made " + scrapes.size() + " of " + n + " scrapes");
      }
      return scrapes;
    } catch (IOException e) {
      throw new UncheckedIOException("running curl against " + uri, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** The status code of a GET, or -1 if nothing answers yet. */
  int status(String path) {
    try {
      return http.send(
              HttpRequest.newBuilder(uri.resolve(path)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String utf8(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }

  private static String gunzip(byte[] body) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return utf8(in.readAllBytes());
    }
  }
}
