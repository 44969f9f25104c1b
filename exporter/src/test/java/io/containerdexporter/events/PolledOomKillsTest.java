package io.containerdexporter.events;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.OomKillReadings;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Each poll round's counters serve one periodic check; without rounds the check reads itself. */
class PolledOomKillsTest {

  private static final ContainerIndex.Key C1 = new ContainerIndex.Key("k8s.io", "c1");

  private final OomKillReadings readings = new OomKillReadings();
  private final PolledOomKills polled = new PolledOomKills(readings);

  @Test
  void aRoundServesOneCheckAndAMissingRoundIsWaitedForOnce() {
    assertEquals(Optional.empty(), polled.forCheck(), "no round yet: the first check waits");
    assertEquals(Optional.of(OomKillReadings.Round.NONE), polled.forCheck(), "then reads itself");

    readings.publish(Map.of(C1, 3L));
    assertEquals(OptionalLong.of(3), polled.forCheck().orElseThrow().of(C1));
    assertEquals(Optional.empty(), polled.forCheck(), "the same round is not used twice");

    readings.publish(Map.of(C1, 4L));
    readings.publish(Map.of(C1, 5L));
    assertEquals(OptionalLong.of(5), polled.forCheck().orElseThrow().of(C1), "the newest round");
    assertEquals(Optional.empty(), polled.forCheck());
    assertEquals(
        Optional.of(OomKillReadings.Round.NONE), polled.forCheck(), "two checks without a round");
    assertEquals(
        Optional.of(OomKillReadings.Round.NONE), polled.forCheck(), "and so on while none comes");

    readings.publish(Map.of());
    assertEquals(
        OptionalLong.empty(),
        polled.forCheck().orElseThrow().of(C1),
        "a container the round did not read is read by the check");
  }
}
