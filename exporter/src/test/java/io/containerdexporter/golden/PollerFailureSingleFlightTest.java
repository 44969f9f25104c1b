package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.collect.Collector;
import io.containerdexporter.collect.PollScope;
import io.containerdexporter.collect.Poller;
import io.containerdexporter.it.Await;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The poller's single-flight promise for a collector that does not honour interruption (a read of a
 * hung FUSE or NFS-backed file, a native call): gRPC calls do honour it, so {@link
 * PollerFailureTest} cannot show this through the fake containerd.
 */
class PollerFailureSingleFlightTest {

  /** Blocks until released, ignoring interrupts, and records how many runs overlap. */
  private static final class Uninterruptible implements Collector {
    final CountDownLatch release = new CountDownLatch(1);
    final AtomicInteger running = new AtomicInteger();
    final AtomicInteger maxRunning = new AtomicInteger();
    final AtomicInteger runs = new AtomicInteger();

    @Override
    public String name() {
      return "stuck";
    }

    @Override
    public List<FamilySpec> families() {
      return List.of();
    }

    @Override
    public List<Family> collect(PollScope scope) {
      runs.incrementAndGet();
      maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
      boolean interrupted = false;
      try {
        while (true) {
          try {
            release.await();
            break;
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      } finally {
        running.decrementAndGet();
        if (interrupted) {
          Thread.currentThread().interrupt();
        }
      }
      return List.of();
    }
  }

  @Test
  void aCollectorThatIgnoresInterruptionIsNotStartedAgainWhileItsPreviousRunIsStuck() {
    Uninterruptible stuck = new Uninterruptible();
    Poller poller =
        new Poller(
            List.of(stuck),
            io.containerdexporter.model.RoundView::empty,
            Duration.ofMillis(100),
            Duration.ofMillis(50),
            Duration.ofMillis(300),
            Clock.systemUTC());
    try {
      poller.start();
      Await.until(
          Duration.ofSeconds(5),
          "ten poll rounds",
          () -> poller.latest().collectors().get("stuck").failures(),
          f -> f >= 10);
      assertEquals(
          1,
          stuck.maxRunning.get(),
          "runs of the stuck collector at the same time ("
              + stuck.runs.get()
              + " runs started in "
              + poller.latest().collectors().get("stuck").failures()
              + " rounds)");
    } finally {
      stuck.release.countDown();
      poller.close();
    }
  }
}
