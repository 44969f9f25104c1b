package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.services.snapshots.v1.Kind;
import io.containerdexporter.fake.FakeContainerd;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Snapshots.Usage walks a writable layer: asked at most every --collector.writable-layer.interval,
 * and bounded.
 */
class SnapshotUsageTest {

  private static final String USAGE = "containerd.services.snapshots.v1.Snapshots/Usage";
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  private final FakeContainerd containerd = new FakeContainerd();
  private ContainerdChannel channel;
  private SnapshotUsage usage;

  @BeforeEach
  void start() throws Exception {
    containerd
        .namespace("default")
        .snapshot("overlayfs", "web", "sha256:base", Kind.ACTIVE, 8192)
        .snapshot("overlayfs", "sha256:base", "", Kind.COMMITTED, 4096);
    containerd.start();
    channel = new ContainerdChannel(containerd.socket());
    usage =
        new SnapshotUsage(
            new ContainerdClient(channel, Duration.ofSeconds(5)), Duration.ofMinutes(1));
  }

  @AfterEach
  void stop() {
    channel.close();
    containerd.close();
  }

  private long ask(String name, boolean committed, Instant round) {
    usage.beginRound(round);
    return usage
        .bytes(new SnapshotUsage.Key("default", "overlayfs", name), committed, round)
        .orElseThrow();
  }

  @Test
  void anActiveSnapshotIsAskedAgainOnlyOnceTheIntervalHasPassed() {
    assertEquals(8192, ask("web", false, T0));
    assertEquals(8192, ask("web", false, T0.plusSeconds(15)));
    assertEquals(8192, ask("web", false, T0.plusSeconds(45)));
    assertEquals(1, containerd.calls(USAGE), "served from the cache within a minute");
    ask("web", false, T0.plusSeconds(60));
    assertEquals(2, containerd.calls(USAGE), "asked again after a minute");
  }

  @Test
  void aCommittedSnapshotIsAskedOnce() {
    for (int round = 0; round < 10; round++) {
      ask("sha256:base", true, T0.plus(Duration.ofMinutes(round)));
    }
    assertEquals(1, containerd.calls(USAGE));
  }

  @Test
  void whatNoCollectorAskedForInTwoRoundsIsForgotten() {
    ask("web", false, T0);
    ask("sha256:base", true, T0);
    ask(
        "web",
        false,
        T0.plusSeconds(15)); // the committed one was not asked this round: kept one round more
    assertEquals(2, usage.size());
    usage.beginRound(T0.plusSeconds(30)); // a round with nothing asked (every container gone)
    assertEquals(1, usage.size(), "only what the previous round asked for is kept");
    usage.beginRound(T0.plusSeconds(45));
    assertEquals(0, usage.size());
  }
}
