package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Family;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventMetricsTest {

  private final EventState state =
      new EventState(Clock.systemUTC(), Duration.ofMinutes(15), new ContainerIndex());
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
}
