package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdUnreachable;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs every collector once per interval, in parallel, each under a deadline, on one view of
 * containerd listed at the start of the round ({@link RoundSource}), and publishes one immutable
 * {@link PollResult}. A collector that fails or overruns keeps its last good families for up to
 * {@code maxStaleness} (its success gauge says so, its last-success timestamp ages); the others
 * publish fresh ones. A collector still stuck in a previous run is not started again (single
 * flight), so a hung containerd cannot pile up threads.
 */
public final class Poller implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Poller.class.getName());

  /**
   * Lists the round's one view of containerd (and feeds the container index) before any collector
   * runs.
   */
  @FunctionalInterface
  public interface RoundSource {
    RoundView list(Instant now);
  }

  private final List<Collector> collectors;
  private final RoundSource rounds;
  private final Duration interval;
  private final Duration timeout;
  private final Duration maxStaleness;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService workers;

  /**
   * Collectors whose run has not returned. Set by the run itself (a cancelled Future reports "done"
   * while its thread may still be stuck in the collector), so a collector that ignores interruption
   * is never run twice at once.
   */
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  private final Set<String> loggedFailures = ConcurrentHashMap.newKeySet();
  private final AtomicReference<PollResult> latest;
  private final List<Runnable> publishListeners = new java.util.concurrent.CopyOnWriteArrayList<>();

  /**
   * @param rounds lists the round's view at its start; if that fails, every collector fails for the
   *     round
   * @param maxStaleness how long a failing collector's last families are served before they are
   *     dropped
   */
  public Poller(
      List<Collector> collectors,
      RoundSource rounds,
      Duration interval,
      Duration timeout,
      Duration maxStaleness,
      Clock clock) {
    this.collectors = List.copyOf(collectors);
    this.rounds = rounds;
    this.interval = interval;
    this.timeout = timeout;
    this.maxStaleness = maxStaleness;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(daemonThreads("poller"));
    this.workers = collectorThreads(this.collectors.size());
    Map<String, CollectorState> initial = new LinkedHashMap<>();
    collectors.forEach(c -> initial.put(c.name(), CollectorState.neverRun(c.name())));
    this.latest = new AtomicReference<>(publishable(initial, Duration.ZERO, clock.instant()));
  }

  /**
   * One thread per collector, all started now. A collector never runs twice at once ({@link
   * #running}), so no task ever waits for a thread, and the thread count is the same before and
   * after an outage: a cached pool grew by the collectors that overlapped while containerd was
   * away, and with a round every few seconds its extra threads were never idle long enough to end.
   */
  private static ExecutorService collectorThreads(int collectors) {
    int n = Math.max(1, collectors);
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            n,
            n,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            daemonThreads("collector"));
    pool.prestartAllCoreThreads();
    return pool;
  }

  /**
   * Interrupts a collector's run. One cancelled before a thread took it never runs, so nothing else
   * would clear its {@link #running} mark (a thread that ran it clears the mark itself, once the
   * collector has really returned).
   */
  private void cancel(Collector c, Future<Run> f, Set<String> began) {
    if (f.cancel(true) && !began.contains(c.name())) {
      running.remove(c.name());
    }
  }

  /** Every family the poller may publish: the collectors' and its own. */
  public List<FamilySpec> families() {
    List<FamilySpec> all = new ArrayList<>();
    collectors.forEach(c -> all.addAll(c.families()));
    all.addAll(PollerSelfMetrics.FAMILIES);
    return all;
  }

  /** Polls now, then every interval. */
  public void start() {
    scheduler.scheduleAtFixedRate(this::pollSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Polls as soon as the poller thread is free, e.g. right after containerd came back. */
  public void pollSoon() {
    if (!scheduler.isShutdown()) {
      scheduler.execute(this::pollSafely);
    }
  }

  public PollResult latest() {
    return latest.get();
  }

  /**
   * Runs {@code listener} on the poller's thread after each round publishes (the exposition encodes
   * the new families then, so scrapes only copy bytes). A failing listener is logged, never fatal.
   */
  public void onPublished(Runnable listener) {
    publishListeners.add(listener);
  }

  private void pollSafely() {
    try {
      pollOnce();
    } catch (RuntimeException e) {
      // A bug in the poller itself must not end the schedule (a thrown exception cancels
      // scheduleAtFixedRate).
      LOG.log(Level.SEVERE, "poll failed unexpectedly", e);
    }
  }

  /** One round; package-private so tests drive it directly. */
  PollResult pollOnce() {
    long roundStart = System.nanoTime();
    Instant now = clock.instant();
    PollResult previous = latest.get();
    Map<String, CollectorState> next = new LinkedHashMap<>();

    PollScope scope;
    try {
      scope = new PollScope(rounds.list(now));
      loggedFailures.remove("round");
    } catch (RuntimeException e) {
      logOnce(
          "round",
          "listing containerd's namespaces, containers and tasks failed; every collector keeps its last "
              + "values",
          e);
      collectors.forEach(
          c -> next.put(c.name(), previous.collectors().get(c.name()).failed(Duration.ZERO)));
      return publish(next, roundStart, now);
    }

    Map<Collector, Future<Run>> started = new LinkedHashMap<>();
    Set<String> began = ConcurrentHashMap.newKeySet();
    for (Collector c : collectors) {
      if (!running.add(c.name())) {
        logOnce(
            c.name() + ":stuck",
            "collector " + c.name() + " is still running its previous poll; skipped",
            null);
        continue;
      }
      try {
        started.put(
            c,
            workers.submit(
                () -> {
                  began.add(c.name());
                  try {
                    return run(c, scope);
                  } finally {
                    running.remove(c.name());
                  }
                }));
      } catch (RuntimeException rejected) { // the pool is shutting down
        running.remove(c.name());
      }
    }

    // The timeout is the collectors': it starts once the round's view is listed (each listing call
    // has its own deadline, --containerd.timeout).
    long deadline = System.nanoTime() + timeout.toNanos();
    for (Collector c : collectors) {
      CollectorState before = previous.collectors().get(c.name());
      Future<Run> f = started.get(c);
      if (f == null) {
        next.put(c.name(), before.failed(timeout));
        continue;
      }
      try {
        Run result = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        next.put(c.name(), before.succeeded(result.took(), now, result.families()));
        loggedFailures.removeIf(k -> k.startsWith(c.name() + ":"));
      } catch (TimeoutException e) {
        cancel(c, f, began);
        logOnce(
            c.name() + ":timeout",
            "collector "
                + c.name()
                + " did not finish within --poll.timeout="
                + timeout.toMillis()
                + "ms; keeping its last values",
            null);
        next.put(c.name(), before.failed(timeout));
      } catch (ExecutionException e) {
        logOnce(
            c.name() + ":" + e.getCause().getClass().getName(),
            "collector " + c.name() + " failed; keeping its last values",
            e.getCause());
        next.put(c.name(), before.failed(Duration.ofNanos(System.nanoTime() - roundStart)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        cancel(c, f, began);
        next.put(c.name(), before.failed(Duration.ZERO));
      }
    }
    return publish(next, roundStart, now);
  }

  private record Run(Duration took, List<Family> families) {}

  private static Run run(Collector c, PollScope scope) throws Exception {
    long start = System.nanoTime();
    List<Family> families = c.collect(scope);
    return new Run(Duration.ofNanos(System.nanoTime() - start), families);
  }

  private PollResult publish(Map<String, CollectorState> states, long roundStart, Instant now) {
    PollResult result = publishable(states, Duration.ofNanos(System.nanoTime() - roundStart), now);
    latest.set(result);
    for (Runnable listener : publishListeners) {
      try {
        listener.run();
      } catch (RuntimeException e) {
        if (loggedFailures.add("publish-listener:" + e.getClass().getName())) {
          LOG.log(Level.SEVERE, "encoding the published round failed", e);
        }
      }
    }
    return result;
  }

  /**
   * A failing collector's last families are served for at most {@code maxStaleness} after its last
   * success, then dropped (as node_exporter drops a failed collector's): frozen counters would make
   * rate() show busy containers as idle. Its success gauge and last-success timestamp stay, so the
   * failure itself is visible.
   */
  private PollResult publishable(Map<String, CollectorState> states, Duration took, Instant now) {
    List<Family> rendered = new ArrayList<>();
    for (CollectorState s : states.values()) {
      if (s.success()
          || s.lastSuccess().map(t -> !t.plus(maxStaleness).isBefore(now)).orElse(false)) {
        rendered.addAll(s.families());
      }
    }
    rendered.addAll(PollerSelfMetrics.render(states.values(), took));
    return new PollResult(states, took, rendered);
  }

  /**
   * One log line per distinct failure until the collector succeeds again: a dead containerd must
   * not flood logs.
   */
  private void logOnce(String key, String message, Throwable cause) {
    if (ContainerdUnreachable.is(cause)) {
      LOG.log(
          Level.FINE, message, cause); // the connection monitor reports an unreachable containerd
      return;
    }
    if (loggedFailures.add(key)) {
      LOG.log(Level.WARNING, message, cause);
    }
  }

  private static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    workers.shutdownNow();
  }
}
