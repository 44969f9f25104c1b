package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.SeriesFamily;
import io.containerdexporter.model.ContainerInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventMetricsTest {

  private final ContainerIndex index = new ContainerIndex();
  private final EventState state = new EventState(Clock.systemUTC(), Duration.ofMinutes(15), index);
  private final EventMetrics metrics = new EventMetrics(state);

  @Test
  void unchangedCountersGiveTheSameSnapshotsSoTheirBytesAreReused() {
    List<Family> first = metrics.render();

    assertSame(first, metrics.render());

    state.reconnected();
    List<Family> afterChange = metrics.render();
    assertNotSame(first, afterChange);
    assertSame(afterChange, metrics.render());
  }

  @Test
  void aScrapeBetweenChangesNeitherCopiesTheCountersNorTakesTheLock() throws Exception {
    state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), Instant.now());
    List<Family> rendered = metrics.render();
    long changes = state.changes();
    Thread holder =
        new Thread(
            () -> {
              synchronized (state) {
                locked.countDown();
                sleepQuietly();
              }
            });
    holder.start();
    locked.await();
    // the event thread holds the state's lock: a scrape does not wait for it
    assertSame(rendered, metrics.render());
    assertEquals(changes, state.changes());
    holder.interrupt();
    holder.join();
  }

  @Test
  void aPollRoundThatRelabelsAContainerRendersAgain() {
    state.apply("k8s.io", new ContainerEvent.TaskStart("c1"), Instant.now());
    List<Family> before = metrics.render();
    long changes = state.changes();
    index.put(
        ContainerInfo.fromCreateEvent("k8s.io", "c1", "docker.io/library/busybox:latest", "runc"));
    assertNotEquals(changes, state.changes(), "the index moved");
    List<Family> after = metrics.render();
    assertNotSame(before, after);
    SeriesFamily starts =
        (SeriesFamily)
            after.stream()
                .filter(f -> f.name().equals("containerd_task_starts"))
                .findFirst()
                .orElseThrow();
    assertEquals("docker.io/library/busybox:latest", starts.label(0, "image"));
  }

  private final java.util.concurrent.CountDownLatch locked =
      new java.util.concurrent.CountDownLatch(1);

  private static void sleepQuietly() {
    try {
      Thread.sleep(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
