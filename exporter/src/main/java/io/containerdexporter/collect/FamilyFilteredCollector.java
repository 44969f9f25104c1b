package io.containerdexporter.collect;

import io.containerdexporter.config.FamilyFilter;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import java.util.List;

/**
 * A collector told which of its families are wanted ({@code --metrics.include/exclude}) through its
 * poll scope, so it can skip their work; the exposition drops what is excluded either way. A
 * decorator, so the poller does not need to know about the filter.
 */
final class FamilyFilteredCollector implements Collector {

  private final Collector delegate;
  private final FamilyFilter filter;

  FamilyFilteredCollector(Collector delegate, FamilyFilter filter) {
    this.delegate = delegate;
    this.filter = filter;
  }

  /** Whether any of the collector's families is wanted: one that has none is not run at all. */
  static boolean anyWanted(Collector collector, FamilyFilter filter) {
    return collector.families().stream().map(FamilySpec::name).anyMatch(filter::includes);
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public List<FamilySpec> families() {
    return delegate.families();
  }

  @Override
  public List<Family> collect(PollScope scope) throws Exception {
    return delegate.collect(scope.withFamilies(filter));
  }
}
