package io.containerdexporter.pulls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PullStatsTest {

  private static final Instant T0 = Instant.parse("2026-12-02T04:00:00Z");

  private static ContainerdLogLine.Outcome parsed(PullRecord r) {
    return new ContainerdLogLine.Outcome(ContainerdLogLine.Result.PARSED, Optional.of(r));
  }

  @Test
  void aPullSeenInTheLogAndAsAnEventCountsOnce() {
    PullStats stats = new PullStats(10);
    stats.logLine(parsed(new PullRecord.Succeeded("busybox:1", T0)));
    Map<String, String> managed = Map.of("io.cri-containerd.image", "managed");
    stats.imageCreated("k8s.io", "busybox:1", managed, T0.plusSeconds(1));
    // The image id and digest records of the same pull, and a ctr import, are not pulls.
    stats.imageCreated("k8s.io", "sha256:" + "a".repeat(64), managed, T0.plusSeconds(1));
    stats.imageCreated("k8s.io", "busybox@sha256:" + "a".repeat(64), managed, T0.plusSeconds(1));
    stats.imageCreated("k8s.io", "busybox:2", Map.of(), T0.plusSeconds(1));
    stats.imageCreated("k8s.io", "busybox:1", managed, T0.plusSeconds(60));
    assertEquals(
        Map.of(new PullStats.Key("k8s.io", "docker.io", "library/busybox"), 2L),
        stats.view().successes());
  }

  @Test
  void repositoriesBeyondTheCapFoldIntoOther() {
    PullStats stats = new PullStats(2);
    for (String ref : new String[] {"r.io/a:1", "r.io/b:1", "r.io/c:1", "r.io/d:1", "r.io/a:2"}) {
      stats.logLine(parsed(new PullRecord.Failed(ref, "not found", T0)));
    }
    PullStats.View v = stats.view();
    assertEquals(2, v.folded());
    assertEquals(
        Map.of(
            new PullStats.FailureKey(
                new PullStats.Key("k8s.io", "r.io", "a"), PullFailureReason.NOT_FOUND),
            2L,
            new PullStats.FailureKey(
                new PullStats.Key("k8s.io", "r.io", "b"), PullFailureReason.NOT_FOUND),
            1L,
            new PullStats.FailureKey(
                new PullStats.Key("k8s.io", "r.io", "other"), PullFailureReason.NOT_FOUND),
            2L),
        v.failures());
  }

  @Test
  void startAndEndGiveADurationAndTheInProgressCount() {
    PullStats stats = new PullStats(10);
    stats.logSourceStarted();
    stats.logLine(parsed(new PullRecord.Started("a:1", T0)));
    stats.logLine(parsed(new PullRecord.Started("b:1", T0)));
    assertEquals(Map.of("k8s.io", 2L), stats.view().inProgress());
    stats.logLine(parsed(new PullRecord.Succeeded("a:1", T0.plusSeconds(3))));
    PullStats.View v = stats.view();
    assertEquals(Map.of("k8s.io", 1L), v.inProgress());
    PullStats.Histogram h = v.successDurations().get("k8s.io");
    assertEquals(3.0, h.sum());
    assertEquals(1, h.counts()[3], "3 s falls in the 5 s bucket");
    // An end without a start (the pull began before the exporter) is counted, without a duration.
    stats.logLine(parsed(new PullRecord.Failed("c:1", "x", T0)));
    assertEquals(Map.of("k8s.io", 1L), stats.view().inProgress());
    assertEquals(null, stats.view().failureDurations().get("k8s.io"));
    // containerd's own gauge wins when its endpoint has one.
    stats.nodeInProgress(Optional.of(4.0));
    assertEquals(Map.of("k8s.io", 4L), stats.view().inProgress());
  }

  @Test
  void aPullCanceledForLackOfProgressIsATimeout() {
    PullStats stats = new PullStats(10);
    for (String line :
        new String[] {
          "level=error msg=\"cancel pulling image docker.io/library/big:1 because of no progress in 1m0s\"",
          "level=error msg=\"PullImage \\\"big:1\\\" failed\" error=\"failed to pull and unpack image: context canceled\"",
          "level=error msg=\"PullImage \\\"big:1\\\" failed\" error=\"failed to pull and unpack image: context canceled\"",
        }) {
      stats.logLine(ContainerdLogLine.parse(line, T0));
    }
    PullStats.Key big = new PullStats.Key("k8s.io", "docker.io", "library/big");
    assertEquals(
        Map.of(
            new PullStats.FailureKey(big, PullFailureReason.TIMEOUT), 1L,
            new PullStats.FailureKey(big, PullFailureReason.CANCELED), 1L),
        stats.view().failures());
  }

  @Test
  void remembersTheLastFailedPullsWithTheirReason() {
    PullStats stats = new PullStats(10);
    stats.logLine(
        parsed(new PullRecord.Failed("nope:1", "docker.io/library/nope:1: not found", T0)));
    assertEquals(1, stats.recentFailures().size());
    assertEquals("nope:1", stats.recentFailures().get(0).subject());
    assertEquals(T0.toString(), stats.recentFailures().get(0).at());
    assertTrue(
        stats.recentFailures().get(0).reason().startsWith("not_found: "),
        stats.recentFailures().get(0).reason());
  }
}
