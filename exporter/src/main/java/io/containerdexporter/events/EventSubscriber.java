package io.containerdexporter.events;

import io.containerdexporter.containerd.Backoff;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.ContainerdUnreachable;
import io.containerdexporter.containerd.api.services.events.v1.Envelope;
import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.model.ContainerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Holds one Events.Subscribe stream for all namespaces. Every envelope is counted, decoded by type URL and applied to
 * {@link EventState} on the subscriber's own thread. When the stream is lost (containerd restarts: "transport is
 * closing") it resubscribes with backoff (100 ms doubling to 5 s), then lets the {@link Reconciler} recover what
 * happened in between. Everything here runs on one thread, so the state machine needs no locks.
 */
public final class EventSubscriber implements AutoCloseable {

  static final Backoff BACKOFF = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));

  /**
   * containerd sends nothing on a new stream until an event happens, so a stream that is on the wire and has not
   * failed this long after is taken as established (containerd registers it as it reads the request).
   */
  static final Duration ESTABLISHED_AFTER = Duration.ofMillis(300);

  private static final Logger LOG = Logger.getLogger(EventSubscriber.class.getName());

  private final ContainerdClient client;
  private final ContainerIndex index;
  private final EventState state;
  private final Reconciler reconciler;
  private final Predicate<String> watched;
  private final Clock clock;
  private final ScheduledExecutorService thread;
  private final Set<String> loggedDecodeFailures = ConcurrentHashMap.newKeySet();

  private int generation;
  private boolean established;
  private boolean everEstablished;
  private int failures;
  private Instant lostAt;
  private Runnable cancel = () -> { };
  /** Set before our own cancel, so the stream's end is not taken for a loss (and nothing is scheduled any more). */
  private volatile boolean closed;

  public EventSubscriber(ContainerdClient client, ContainerIndex index, EventState state, Reconciler reconciler,
      Predicate<String> watched, Clock clock) {
    this.client = client;
    this.index = index;
    this.state = state;
    this.reconciler = reconciler;
    this.watched = watched;
    this.clock = clock;
    AtomicInteger n = new AtomicInteger();
    this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "events-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Wires the whole event path: state, reconciler, subscriber. */
  public static EventSubscriber create(ContainerdClient client, ContainerIndex index, EventState state,
      io.containerdexporter.cgroup.OomKillCounter oomKills, java.util.function.Supplier<List<String>> namespaces,
      Predicate<String> watched, Clock clock) {
    Reconciler reconciler = new Reconciler(client, namespaces, index, oomKills, state);
    return new EventSubscriber(client, index, state, reconciler, watched, clock);
  }

  /**
   * The labels of a container, for a series the event path creates: from the index, else asked of containerd (with
   * the client's deadline), else just its id and namespace.
   */
  public static ContainerIdentity identify(ContainerdClient client, ContainerIndex index, String ns, String id) {
    return index.identity(index.getOrLookUp(ns, id, client::container)
        .orElseGet(() -> ContainerInfo.fromCreateEvent(ns, id, "", "")));
  }

  public void start() {
    thread.execute(this::subscribe);
  }

  private void subscribe() {
    int gen = ++generation;
    established = false;
    LOG.fine("subscribing to containerd's events (all namespaces)");
    cancel = client.subscribe(List.of(), thread, new ContainerdClient.EventStreamListener() {
      @Override
      public void onStarted() {
        thread.schedule(() -> establish(gen), ESTABLISHED_AFTER.toMillis(), TimeUnit.MILLISECONDS);
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
    if (everEstablished) {
      state.reconnected();
      LOG.info("event stream subscribed again");
    } else {
      LOG.fine("event stream established");
    }
    try {
      long start = System.nanoTime();
      reconciler.reconcile(Optional.ofNullable(lostAt));
      LOG.fine(() -> "reconciled the event counters with containerd's tasks " + (lostAt == null
          ? "(first subscription: baseline)" : "(stream was down since " + lostAt + ")") + " in "
          + (System.nanoTime() - start) / 1_000_000 + "ms");
      lostAt = null;
    } catch (RuntimeException e) {
      // containerd went away again mid-way; the stream fails too, and the next subscription reconciles.
      LOG.log(ContainerdUnreachable.levelFor(e, Level.WARNING), "reconciling after (re)subscribing failed: " + e,
          e.getCause());
    }
    everEstablished = true;
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
      state.decodeError(failed.failure());
      if (loggedDecodeFailures.add(failed.failure() + ":" + envelope.getTopic())) {
        LOG.warning("skipping an event that could not be decoded (" + failed.failure().label() + "): "
            + failed.detail());
      }
      return;
    }
    ContainerEvent event = ((EventDecoder.Decoded) result).event();
    keepIndexCurrent(ns, event);
    Instant published = Instant.ofEpochSecond(envelope.getTimestamp().getSeconds(), envelope.getTimestamp().getNanos());
    state.apply(ns, event, published);
  }

  /** A container born between two polls gets its labels now, while it still exists. */
  private void keepIndexCurrent(String ns, ContainerEvent event) {
    if (event instanceof ContainerEvent.ContainerCreated created) {
      try {
        index.put(client.container(ns, created.id()));
        LOG.fine(() -> "container " + ns + "/" + created.id() + " created: looked up its labels");
      } catch (RuntimeException gone) {
        index.put(ContainerInfo.fromCreateEvent(ns, created.id(), created.image(), created.runtime()));
      }
    } else if (event instanceof ContainerEvent.ContainerUpdated updated) {
      try {
        index.put(client.container(ns, updated.id()));
      } catch (RuntimeException gone) {
        index.get(ns, updated.id()).ifPresent(c -> index.put(new ContainerInfo(c.namespace(), c.id(),
            updated.image(), updated.labels(), c.runtime(), c.snapshotter(), c.snapshotKey(), c.createdAt(),
            c.cgroupsPath(), c.annotations(), c.resources(), c.network())));
      }
    } else if (event instanceof ContainerEvent.ContainerDeleted deleted) {
      index.remove(ns, deleted.id());
    }
  }

  private void lost(int gen, Throwable error) {
    if (gen != generation || closed) {
      return;
    }
    generation++; // callbacks of the dead stream are ignored from here on
    state.streamUp(false);
    if (lostAt == null) {
      lostAt = clock.instant();
    }
    failures++;
    Duration retryIn = BACKOFF.delay(failures);
    // "lost" only for a stream that was up; a subscription that never came up is the connection monitor's to report.
    LOG.log(established ? Level.WARNING : Level.FINE, (established ? "event stream lost (" : "subscribing failed (")
        + (error == null ? "closed by containerd" : error.getMessage()) + "); resubscribing in " + retryIn.toMillis()
        + "ms");
    try {
      thread.schedule(this::subscribe, retryIn.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      // close() raced us; nothing to resubscribe
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      thread.execute(() -> cancel.run());
    } catch (java.util.concurrent.RejectedExecutionException alreadyClosed) {
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
