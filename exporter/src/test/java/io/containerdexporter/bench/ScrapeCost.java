package io.containerdexporter.bench;

/**
 * Many keep-alive scrapes of one kind against a settled exporter: latency, bytes and CPU per scrape
 * (see {@link ScrapeMeter}).
 */
record ScrapeCost(Scraper.Ask ask, ScrapeMeter.Cost cost) {

  /** The exporter's HTTP server threads (web.WebServer names them http-N). */
  static final String HTTP_THREADS = "http-";

  static ScrapeCost measure(BenchExporter exporter, Scraper.Ask ask, int intervalSeconds)
      throws InterruptedException {
    double idle = warm(exporter, ask, intervalSeconds);
    ScrapeMeter meter = new ScrapeMeter(exporter.scraper(), exporter.probe(), HTTP_THREADS);
    int max = maxScrapes();
    long deadline = System.nanoTime() + Long.getLong("bench.scrape-seconds", 20) * 1_000_000_000L;
    meter.begin();
    while (meter.count() < max && (meter.count() < 20 || System.nanoTime() < deadline)) {
      meter.scrape(ask);
    }
    return new ScrapeCost(ask, meter.end(idle));
  }

  /**
   * As {@link #measure}, the scrapes made by curl ({@link Scraper#curl}), {@code bench.scrapes}.
   */
  static ScrapeCost measureByCurl(BenchExporter exporter, Scraper.Ask ask, int intervalSeconds)
      throws InterruptedException {
    double idle = warm(exporter, ask, intervalSeconds);
    ScrapeMeter meter = new ScrapeMeter(exporter.scraper(), exporter.probe(), HTTP_THREADS);
    meter.begin();
    meter.curl(ask, maxScrapes());
    return new ScrapeCost(ask, meter.end(idle));
  }

  /**
   * The first scrape of a kind asks the next rounds to encode it ahead: scrape, wait for a round,
   * scrape again; then the process's idle CPU rate over one interval.
   */
  private static double warm(BenchExporter exporter, Scraper.Ask ask, int intervalSeconds)
      throws InterruptedException {
    ScrapeMeter meter = new ScrapeMeter(exporter.scraper(), exporter.probe(), HTTP_THREADS);
    meter.scrape(ask);
    exporter.awaitNextRound(120);
    meter.scrape(ask);
    return ScrapeMeter.idleRates(intervalSeconds, exporter.probe())[0];
  }

  private static int maxScrapes() {
    return Integer.getInteger("bench.scrapes", 200);
  }

  int wireBytes() {
    return cost.wireBytes();
  }

  String lastText() {
    return cost.lastText();
  }
}
