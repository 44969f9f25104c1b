package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import java.util.List;

/** Serves what the latest poll rendered; a scrape does no work beyond handing over the list. */
public final class PollerMetrics implements MetricSource {

  private final Poller poller;

  public PollerMetrics(Poller poller) {
    this.poller = poller;
  }

  @Override
  public List<FamilySpec> families() {
    return poller.families();
  }

  @Override
  public List<Family> render() {
    return poller.latest().rendered();
  }
}
