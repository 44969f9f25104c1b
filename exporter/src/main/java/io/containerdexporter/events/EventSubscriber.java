package io.containerdexporter.events;

import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.containerd.Backoff;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.ContainerdUnreachable;
import io.containerdexporter.containerd.api.services.events.v1.Envelope;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.OomKillReadings;
import io.containerdexporter.model.ContainerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds one Events.Subscribe stream for all namespaces. Every envelope is counted, decoded by type
 * URL and applied to {@link EventState} on the subscriber's own thread. When the stream is lost
 * (containerd restarts: "transport is closing") it resubscribes with backoff (100 ms doubling to 5
 * s). Each time the stream is established, the first time included, the {@link Reconciler} recovers
 * what happened in the gap; a reconcile that fails is retried with backoff until one succeeds, and
 * a second pass a few seconds later covers the moments before containerd registered the
 * subscription. Everything here runs on one thread, so the state machine needs no locks; containerd
 * lookups and cgroup reads happen here, before {@link EventState}'s lock is taken, so a scrape
 * never waits on them.
 */
public final class EventSubscriber implements AutoCloseable {

  static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
  static final Backoff RECONCILE_BACKOFF =
      new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

  /**
   * containerd sends nothing on a new stream until an event happens, so a stream that is on the
   * wire and has not failed this long after is taken as established (containerd registers it as it
   * reads the request).
   */
  static final Duration ESTABLISHED_AFTER = Duration.ofMillis(300);

  /**
   * The reconcile runs again this long after the stream was established: an event published before
   * containerd had really registered the subscription (we only guess when it did) is then still
   * recovered. Reconciling is idempotent, so this adds nothing when nothing was missed.
   */
  static final Duration CONFIRM_AFTER = Duration.ofSeconds(5);

  private static final Logger LOG = Logger.getLogger(EventSubscriber.class.getName());

  private final ContainerdClient client;
  private final ContainerIndex index;
  private final EventState state;
  private final Reconciler reconciler;
  private final Predicate<String> watched;
  private final Clock clock;
  private final Duration pruneEvery;
  private final Duration oomCheckEvery;
  private final PolledOomKills polled;
  private final ScheduledExecutorService thread;
  private final OomKillCounting oomKills;

  private int generation;
  private boolean established;
  private boolean everEstablished;
  private int failures;
  private int reconcileFailures;
  private boolean reconciledOnce;

  /**
   * Since when events may have been missed and not yet reconciled: the start, then each loss. Null
   * when none.
   */
  private Instant gapStart;

  private Runnable cancel = () -> {};

  /**
   * Set before our own cancel, so the stream's end is not taken for a loss (and nothing is
   * scheduled any more).
   */
  private volatile boolean closed;

  EventSubscriber(
      ContainerdClient client,
      ContainerIndex index,
      EventState state,
      CgroupReader cgroups,
      Supplier<List<String>> namespaces,
      Predicate<String> watched,
      Clock clock,
      Duration retention,
      Duration oomCheckEvery,
      OomKillReadings polled) {
    this.client = client;
    this.polled = new PolledOomKills(polled);
    this.index = index;
    this.state = state;
    this.reconciler = new Reconciler(client, namespaces, cgroups, state);
    this.watched = watched;
    this.clock = clock;
    this.pruneEvery = pruneInterval(retention);
    this.oomCheckEvery = oomCheckEvery;
    this.gapStart = state.watchingSince();
    AtomicInteger n = new AtomicInteger();
    this.thread =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "events-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.oomKills = new OomKillCounting(cgroups, index, state, thread);
  }

  /**
   * Wires the whole event path: subscriber, reconciler, OOM counting.
   *
   * @param cgroups reads the kernel's OOM-kill counters (the same readers as task stats)
   * @param retention how long gone containers' series stay; also sets how often they are pruned
   * @param oomCheckEvery how often every container's OOM-kill counter is checked for kills no event
   *     told of (the poll interval)
   * @param polled the counters as each poll round read them, which the check takes rather than read
   *     them again
   */
  public static EventSubscriber create(
      ContainerdClient client,
      ContainerIndex index,
      EventState state,
      CgroupReader cgroups,
      Supplier<List<String>> namespaces,
      Predicate<String> watched,
      Clock clock,
      Duration retention,
      Duration oomCheckEvery,
      OomKillReadings polled) {
    return new EventSubscriber(
        client,
        index,
        state,
        cgroups,
        namespaces,
        watched,
        clock,
        retention,
        oomCheckEvery,
        polled);
  }

  /**
   * A quarter of the retention, within 100 ms and 1 min: a gone series outlives the retention by at
   * most that.
   */
  static Duration pruneInterval(Duration retention) {
    Duration quarter = retention.dividedBy(4);
    Duration min = Duration.ofMillis(100);
    Duration max = Duration.ofMinutes(1);
    return quarter.compareTo(min) < 0 ? min : quarter.compareTo(max) > 0 ? max : quarter;
  }

  public void start() {
    thread.execute(this::subscribe);
    thread.scheduleWithFixedDelay(
        state::prune, pruneEvery.toMillis(), pruneEvery.toMillis(), TimeUnit.MILLISECONDS);
    thread.scheduleWithFixedDelay(
        this::checkOomKills,
        oomCheckEvery.toMillis(),
        oomCheckEvery.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * Checks every container's OOM-kill counter for kills no {@code /tasks/oom} told of. Only while
   * the stream is up and reconciled: a gap is the reconcile's to recover.
   *
   * <p>The counters come from the newest poll round, each round used once ({@link PolledOomKills});
   * a container that round did not read (no cgroup here, or the api stats source) is read here.
   */
  private void checkOomKills() {
    if (closed || !established || gapStart != null) {
      return;
    }
    Optional<OomKillReadings.Round> round = polled.forCheck();
    if (round.isEmpty()) {
      return;
    }
    for (ContainerIndex.Key key : state.oomCheckTargets()) {
      OptionalLong reading = round.get().of(key);
      if (reading.isPresent()) {
        oomKills.check(key.namespace(), key.id(), reading.getAsLong());
      } else {
        oomKills.check(key.namespace(), key.id());
      }
    }
  }

  private void subscribe() {
    int gen = ++generation;
    established = false;
    LOG.fine("subscribing to containerd's events (all namespaces)");
    cancel =
        client.subscribe(
            List.of(),
            thread,
            new io.containerdexporter.containerd.EventStream.Listener() {
              @Override
              public void onStarted() {
                schedule(() -> establish(gen), ESTABLISHED_AFTER);
              }

              @Override
              public void onEnvelope(Envelope envelope) {
                handle(gen, envelope);
              }

              @Override
              public void onClosed(Throwable error) {
                lost(gen, error);
              }
            });
  }

  private void establish(int gen) {
    if (gen != generation || established) {
      return;
    }
    established = true;
    failures = 0;
    state.streamUp(true);
    index.taskEnds().streamUp(true);
    if (everEstablished) {
      state.reconnected();
      LOG.info("event stream subscribed again");
    } else {
      LOG.fine("event stream established");
    }
    everEstablished = true;
    reconcileFailures = 0;
    reconcile(gen, 2);
  }

  /**
   * One reconcile pass of the gap; on success the next pass ({@code passes} left) follows {@link
   * #CONFIRM_AFTER} later, on failure the same pass is retried with backoff. A lost stream ends the
   * chain: the next one reconciles.
   */
  private void reconcile(int gen, int passes) {
    if (gen != generation || closed || gapStart == null) {
      return;
    }
    try {
      long start = System.nanoTime();
      reconciler.reconcile(gapStart);
      boolean first = !reconciledOnce;
      Instant since = gapStart;
      LOG.fine(
          () ->
              "reconciled the event counters with containerd's tasks "
                  + (first
                      ? "(first subscription: since the exporter started, " + since + ")"
                      : "(stream was down since " + since + ")")
                  + " in "
                  + (System.nanoTime() - start) / 1_000_000
                  + "ms");
      reconciledOnce = true;
    } catch (RuntimeException e) {
      Duration retryIn = RECONCILE_BACKOFF.delay(++reconcileFailures);
      LOG.log(
          ContainerdUnreachable.levelFor(e, Level.WARNING),
          "reconciling after (re)subscribing failed: "
              + e
              + "; retrying in "
              + retryIn.toMillis()
              + "ms",
          e.getCause());
      schedule(() -> reconcile(gen, passes), retryIn);
      return;
    }
    reconcileFailures = 0;
    if (passes > 1) {
      schedule(() -> reconcile(gen, passes - 1), CONFIRM_AFTER);
    } else {
      gapStart = null;
    }
  }

  private void handle(int gen, Envelope envelope) {
    if (gen != generation) {
      return;
    }
    establish(gen); // an event proves the subscription
    String ns = envelope.getNamespace();
    if (!watched.test(ns)) {
      return;
    }
    state.envelope(ns, envelope.getTopic());
    EventDecoder.Result result = EventDecoder.decode(envelope.getTopic(), envelope.getEvent());
    if (result instanceof EventDecoder.Failed failed) {
      if (state.decodeError(failed.failure(), envelope.getTopic())) {
        LOG.warning(
            "skipping an event that could not be decoded ("
                + failed.failure().label()
                + "): "
                + failed.detail());
      }
      return;
    }
    ContainerEvent event = ((EventDecoder.Decoded) result).event();
    keepIndexCurrent(ns, event); // containerd lookups: here, before the state's lock
    Instant published =
        Instant.ofEpochSecond(
            envelope.getTimestamp().getSeconds(), envelope.getTimestamp().getNanos());
    state.apply(ns, event, published);
    if (event instanceof ContainerEvent.TaskOom oom) {
      oomKills.onOom(ns, oom.containerId());
    } else if (event instanceof ContainerEvent.TaskExit exit && exit.isInit()) {
      oomKills.onInitExit(ns, exit.containerId());
    }
  }

  /**
   * A container born between two polls gets its labels now, while it still exists; a task event of
   * a container the index does not know yet looks it up once (with the client's deadline). A lookup
   * that fails leaves the series with id and namespace only until the poll learns the container.
   */
  private void keepIndexCurrent(String ns, ContainerEvent event) {
    if (event instanceof ContainerEvent.ContainerCreated created) {
      try {
        index.put(client.container(ns, created.id()));
        LOG.fine(() -> "container " + ns + "/" + created.id() + " created: looked up its labels");
      } catch (RuntimeException gone) {
        index.put(
            ContainerInfo.fromCreateEvent(ns, created.id(), created.image(), created.runtime()));
      }
    } else if (event instanceof ContainerEvent.ContainerUpdated updated) {
      try {
        index.put(client.container(ns, updated.id()));
      } catch (RuntimeException gone) {
        index
            .get(ns, updated.id())
            .ifPresent(
                c ->
                    index.put(
                        new ContainerInfo(
                            c.namespace(),
                            c.id(),
                            updated.image(),
                            updated.labels(),
                            c.runtime(),
                            c.snapshotter(),
                            c.snapshotKey(),
                            c.createdAt(),
                            c.cgroupsPath(),
                            c.annotations(),
                            c.resources(),
                            c.network())));
      }
    } else if (event instanceof ContainerEvent.ContainerDeleted deleted) {
      index.remove(ns, deleted.id());
      index.taskEnds().ended(ns, deleted.id());
    } else if (event instanceof ContainerEvent.TaskOom oom) {
      index.getOrLookUp(ns, oom.containerId(), client::container);
    } else if (event instanceof ContainerEvent.TaskExit exit) {
      if (exit.isInit()) {
        index.taskEnds().ended(ns, exit.containerId());
      }
      index.getOrLookUp(ns, exit.containerId(), client::container);
    } else if (event instanceof ContainerEvent.TaskStart start) {
      index.getOrLookUp(ns, start.containerId(), client::container);
    }
  }

  private void lost(int gen, Throwable error) {
    if (gen != generation || closed) {
      return;
    }
    generation++; // callbacks of the dead stream are ignored from here on
    state.streamUp(false);
    index.taskEnds().streamUp(false);
    if (gapStart == null) {
      gapStart = clock.instant();
    }
    failures++;
    Duration retryIn = BACKOFF.delay(failures);
    // "lost" only for a stream that was up; a subscription that never came up is the connection
    // monitor's to report.
    LOG.log(
        established ? Level.WARNING : Level.FINE,
        (established ? "event stream lost (" : "subscribing failed (")
            + (error == null ? "closed by containerd" : error.getMessage())
            + "); resubscribing in "
            + retryIn.toMillis()
            + "ms");
    schedule(this::subscribe, retryIn);
  }

  private void schedule(Runnable task, Duration in) {
    try {
      thread.schedule(task, in.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      // close() raced us; nothing more to do
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.execute(() -> cancel.run());
    } catch (RejectedExecutionException alreadyClosed) {
      return;
    }
    thread.shutdown();
    try {
      thread.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.shutdownNow();
  }
}
