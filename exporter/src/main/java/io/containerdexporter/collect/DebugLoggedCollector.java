package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A collector that says at debug level what each of its runs did and how long it took, so {@code
 * --log.level=debug} shows the poll rounds themselves. A decorator, so no collector and not the
 * poller need to know about it.
 */
public final class DebugLoggedCollector implements Collector {

  private static final Logger LOG = Logger.getLogger(Poller.class.getName());

  private final Collector delegate;

  public DebugLoggedCollector(Collector delegate) {
    this.delegate = delegate;
  }

  /** Wraps each collector only when debug is on: otherwise the list is returned as is. */
  public static List<Collector> wrapIfDebug(List<Collector> collectors) {
    return LOG.isLoggable(Level.FINE)
        ? collectors.stream().<Collector>map(DebugLoggedCollector::new).toList()
        : collectors;
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
    long start = System.nanoTime();
    try {
      List<Family> families = delegate.collect(scope);
      long series = families.stream().mapToLong(f -> f.size()).sum();
      LOG.fine(() -> "collector " + name() + ": " + series + " series in " + millis(start) + "ms");
      return families;
    } catch (Exception | Error e) {
      LOG.fine(() -> "collector " + name() + " failed after " + millis(start) + "ms: " + e);
      throw e;
    }
  }

  private static long millis(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
