package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PollerTest {

  /**
   * A collector whose next behaviour the test sets: a value, an exception, or blocking until
   * released.
   */
  private static final class Scripted implements Collector {
    final String name;
    final FamilySpec family;
    final AtomicReference<Object> next = new AtomicReference<>(1.0);
    final AtomicInteger runs = new AtomicInteger();
    volatile CountDownLatch gate = new CountDownLatch(0);

    Scripted(String name) {
      this.name = name;
      this.family = FamilySpec.gauge("test_" + name, "test family " + name);
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public List<FamilySpec> families() {
      return List.of(family);
    }

    @Override
    public List<Family> collect(PollScope scope) throws Exception {
      runs.incrementAndGet();
      awaitIgnoringInterrupts(gate);
      Object what = next.get();
      if (what instanceof Exception e) {
        throw e;
      }
      return List.of(family.builder().add((Double) what).build());
    }
  }

  /** Like a collector stuck in a call that does not honour interruption. */
  private static void awaitIgnoringInterrupts(CountDownLatch gate) {
    boolean interrupted = false;
    while (true) {
      try {
        gate.await();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls a condition for up to 5 s. */
  private static final class Await {
    static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (!condition.getAsBoolean()) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("condition not met within 5 s");
        }
        Thread.sleep(20);
      }
    }
  }

  private static final Duration STALE_AFTER = Duration.ofMinutes(1);

  private final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  private Poller poller;

  @AfterEach
  void close() {
    if (poller != null) {
      poller.close();
    }
  }

  private static double value(PollResult snapshot, String family, String... labels) {
    for (Family m : snapshot.rendered()) {
      if (m.name().equals(family)) {
        for (var p : ((GaugeSnapshot) m.snapshot()).getDataPoints()) {
          boolean match = true;
          for (int i = 0; i < labels.length; i += 2) {
            match &= labels[i + 1].equals(p.getLabels().get(labels[i]));
          }
          if (match) {
            return p.getValue();
          }
        }
      }
    }
    throw new AssertionError(family + " " + List.of(labels) + " not rendered");
  }

  @Test
  void aFailingCollectorKeepsItsLastValuesWhileTheOthersMoveOn() {
    Scripted good = new Scripted("good");
    Scripted bad = new Scripted("bad");
    poller =
        new Poller(
            List.of(good, bad),
            RoundView::empty,
            Duration.ofHours(1),
            Duration.ofSeconds(5),
            STALE_AFTER,
            clock);

    poller.pollOnce();
    good.next.set(2.0);
    bad.next.set(new IllegalStateException("containerd said no"));
    PollResult second = poller.pollOnce();

    assertEquals(2.0, value(second, "test_good"));
    assertEquals(1.0, value(second, "test_bad"), "stale value kept");
    assertEquals(1.0, value(second, "containerd_exporter_collector_success", "collector", "good"));
    assertEquals(0.0, value(second, "containerd_exporter_collector_success", "collector", "bad"));
    assertEquals(
        clock.instant().getEpochSecond(),
        value(
            second,
            "containerd_exporter_collector_last_success_timestamp_seconds",
            "collector",
            "bad"));
    assertEquals(1, second.collectors().get("bad").failures());
  }

  @Test
  void aCollectorPastTheTimeoutFailsAndIsNotStartedAgainWhileStuck() throws Exception {
    Scripted slow = new Scripted("slow");
    Scripted fast = new Scripted("fast");
    poller =
        new Poller(
            List.of(slow, fast),
            RoundView::empty,
            Duration.ofHours(1),
            Duration.ofMillis(200),
            STALE_AFTER,
            clock);
    poller.pollOnce();

    CountDownLatch stuck = new CountDownLatch(1);
    slow.gate = stuck;
    // The poller cancels (interrupts) an overrunning collector; a collector that ignores
    // interruption stays stuck.
    PollResult timedOut = poller.pollOnce();
    assertFalse(timedOut.collectors().get("slow").success());
    assertTrue(timedOut.collectors().get("fast").success());
    assertEquals(Duration.ofMillis(200), timedOut.collectors().get("slow").duration());
    assertEquals(1.0, value(timedOut, "test_slow"), "stale value kept");

    // Still stuck (it swallows the interrupt and waits on): the next rounds must not start it
    // again.
    int runsSoFar = slow.runs.get();
    poller.pollOnce();
    poller.pollOnce();
    assertEquals(
        runsSoFar, slow.runs.get(), "single flight: a stuck collector is not started again");
    stuck.countDown();
    Await.until(() -> poller.pollOnce().collectors().get("slow").success());
  }

  @Test
  void neverRunCollectorsReportFailureAndZeroTimestamp() {
    Scripted c = new Scripted("c");
    poller =
        new Poller(
            List.of(c),
            RoundView::empty,
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            STALE_AFTER,
            clock);
    PollResult initial = poller.latest();
    assertEquals(0.0, value(initial, "containerd_exporter_collector_success", "collector", "c"));
    assertEquals(
        0.0,
        value(
            initial,
            "containerd_exporter_collector_last_success_timestamp_seconds",
            "collector",
            "c"));
  }

  @Test
  void whenTheRoundCannotBeListedEveryCollectorFailsAndKeepsItsValues() {
    Scripted c = new Scripted("c");
    AtomicReference<RuntimeException> listing = new AtomicReference<>();
    poller =
        new Poller(
            List.of(c),
            now -> {
              if (listing.get() != null) {
                throw listing.get();
              }
              return RoundView.empty(now);
            },
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            STALE_AFTER,
            clock);
    poller.pollOnce();
    listing.set(new IllegalStateException("UNAVAILABLE"));
    PollResult failed = poller.pollOnce();
    assertEquals(0.0, value(failed, "containerd_exporter_collector_success", "collector", "c"));
    assertEquals(1.0, value(failed, "test_c"));
    assertEquals(1, c.runs.get(), "collectors are not run without the round's view");
  }

  @Test
  void declaresCollectorAndSelfFamilies() {
    Scripted c = new Scripted("c");
    poller =
        new Poller(
            List.of(c),
            RoundView::empty,
            Duration.ofHours(1),
            Duration.ofSeconds(1),
            STALE_AFTER,
            clock);
    List<String> names = poller.families().stream().map(FamilySpec::name).toList();
    assertTrue(names.contains("test_c"));
    assertTrue(
        names.containsAll(
            List.of(
                "containerd_exporter_collector_success",
                "containerd_exporter_collector_duration_seconds",
                "containerd_exporter_collector_last_success_timestamp_seconds",
                "containerd_exporter_collector_failures_total",
                "containerd_exporter_poll_duration_seconds")));
  }

  /** A clock a test moves by hand. */
  private static final class MovingClock extends Clock {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void aCollectorThatKeepsFailingIsServedStaleOnlyUpToTheMaximumAgeThenItsFamiliesGo() {
    Scripted good = new Scripted("good");
    Scripted bad = new Scripted("bad");
    MovingClock moving = new MovingClock();
    poller =
        new Poller(
            List.of(good, bad),
            RoundView::empty,
            Duration.ofSeconds(15),
            Duration.ofSeconds(5),
            Duration.ofSeconds(45),
            moving);
    poller.pollOnce();
    Instant lastSuccess = moving.instant();
    bad.next.set(new IllegalStateException("containerd said no"));

    moving.advance(Duration.ofSeconds(45));
    PollResult atTheLimit = poller.pollOnce();
    assertEquals(1.0, value(atTheLimit, "test_bad"), "still served at exactly the maximum age");

    moving.advance(Duration.ofSeconds(15));
    PollResult past = poller.pollOnce();
    assertTrue(
        past.rendered().stream().noneMatch(m -> m.name().equals("test_bad")),
        "dropped once older than --poll.max-staleness");
    assertEquals(1.0, value(past, "test_good"), "the others are not affected");
    assertEquals(0.0, value(past, "containerd_exporter_collector_success", "collector", "bad"));
    assertEquals(
        lastSuccess.getEpochSecond(),
        value(
            past,
            "containerd_exporter_collector_last_success_timestamp_seconds",
            "collector",
            "bad"),
        "the last-success timestamp stays, so the failure is visible");

    bad.next.set(3.0);
    moving.advance(Duration.ofSeconds(15));
    assertEquals(3.0, value(poller.pollOnce(), "test_bad"), "back as soon as it succeeds again");
  }
}
