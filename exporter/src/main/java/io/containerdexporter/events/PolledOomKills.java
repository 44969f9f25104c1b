package io.containerdexporter.events;

import io.containerdexporter.index.OomKillReadings;
import java.util.Optional;

/**
 * Which counters a periodic OOM check uses. The check compares each reading with the one before it,
 * an interval earlier, so a poll round's readings are used once: a check that finds no new round
 * waits for the next check (the poll runs at the same interval); a second such check in a row reads
 * every counter itself (the task-stats collector is off, or its rounds are stuck).
 *
 * <p>The event thread's alone.
 */
final class PolledOomKills {

  private final OomKillReadings polled;
  private long used;
  private int checksWithoutRound;

  PolledOomKills(OomKillReadings polled) {
    this.polled = polled;
  }

  /**
   * @return the round to check with; {@link OomKillReadings.Round#NONE} to read every counter;
   *     empty to skip this check
   */
  Optional<OomKillReadings.Round> forCheck() {
    OomKillReadings.Round round = polled.latest();
    if (round.number() > used) {
      used = round.number();
      checksWithoutRound = 0;
      return Optional.of(round);
    }
    return ++checksWithoutRound < 2 ? Optional.empty() : Optional.of(OomKillReadings.Round.NONE);
  }
}
