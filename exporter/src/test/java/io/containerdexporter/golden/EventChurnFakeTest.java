package io.containerdexporter.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.cgroup.CgroupFixtures;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.events.ContainerCreate;
import io.containerdexporter.containerd.api.events.ContainerDelete;
import io.containerdexporter.containerd.api.events.ImageCreate;
import io.containerdexporter.containerd.api.events.NamespaceDelete;
import io.containerdexporter.containerd.api.events.TaskExit;
import io.containerdexporter.containerd.api.events.TaskOOM;
import io.containerdexporter.containerd.api.events.TaskStart;
import io.containerdexporter.events.EventState;
import io.containerdexporter.events.EventSubscriber;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.index.OomKillReadings;
import io.containerdexporter.it.Await;
import io.containerdexporter.metrics.ReadErrors;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounded state under churn (issue 8 §6): 10 000 containers created, started, exited, deleted, in a
 * namespace that is then deleted, with a short retention. Every event-side structure returns to its
 * size before the churn, without a single scrape: pruning runs on a timer.
 */
class EventChurnFakeTest {

  private static final int CONTAINERS = 10_000;
  private static final Duration RETENTION = Duration.ofSeconds(2);

  @TempDir Path emptyCgroupfs;

  @Test
  void everyEventSideStructureReturnsToItsBaselineAfterTheRetention() throws Exception {
    try (FakeContainerd containerd = new FakeContainerd()) {
      containerd.namespace("default").container("steady", "busybox", Map.of());
      containerd.start();
      ContainerIndex index = new ContainerIndex();
      EventState state = new EventState(Clock.systemUTC(), RETENTION, index);
      try (ContainerdChannel channel = new ContainerdChannel(containerd.socket())) {
        ContainerdClient client = new ContainerdClient(channel, Duration.ofSeconds(5));
        try (EventSubscriber subscriber =
            EventSubscriber.create(
                client,
                index,
                state,
                CgroupReaders.detect(
                    emptyCgroupfs,
                    new ReadErrors("cgroup", "containerd_exporter_cgroup_read_errors_total"),
                    CgroupFixtures.readFailures()),
                client::namespaces,
                ns -> true,
                Clock.systemUTC(),
                RETENTION,
                Duration.ofMillis(100),
                new OomKillReadings())) {
          churn(containerd, index, state, subscriber);
          // The deletions left tombstones in the index (so a poll under way could not resurrect
          // them); the next
          // round, which lists without them, clears them: back to the one steady container.
          new io.containerdexporter.collect.RoundLister(
                  client, io.containerdexporter.config.NamespaceFilter.ALL, index)
              .list(Instant.now());
          assertEquals(1, index.size(), "the index, tombstones included, after one round");
        }
      }
    }
  }

  private static void churn(
      FakeContainerd containerd, ContainerIndex index, EventState state, EventSubscriber subscriber)
      throws Exception {
    subscriber.start();
    Await.until(
        Duration.ofSeconds(10), "the subscription", () -> containerd.subscribers(), n -> n == 1);
    containerd.publish(
        "default", "/images/create", ImageCreate.newBuilder().setName("busybox").build());
    Await.until(
        Duration.ofSeconds(10),
        "the steady state",
        state::counts,
        c -> c.streamUp() && c.imageEvents().size() == 1);
    Map<String, Integer> baseline = state.sizes();

    FakeNamespace churn = containerd.namespace("churn");
    for (int i = 0; i < CONTAINERS; i++) {
      String id = "c" + i;
      churn.container(id, "busybox", Map.of());
      containerd.publish(
          "churn", "/containers/create", ContainerCreate.newBuilder().setId(id).build());
      containerd.publish(
          "churn", "/tasks/start", TaskStart.newBuilder().setContainerId(id).build());
      if (i % 100 == 0) {
        containerd.publish("churn", "/tasks/oom", TaskOOM.newBuilder().setContainerId(id).build());
      }
      containerd.publish(
          "churn",
          "/tasks/exit",
          TaskExit.newBuilder()
              .setContainerId(id)
              .setId(id)
              .setExitStatus(i % 3)
              .setExitedAt(
                  com.google.protobuf.Timestamp.newBuilder()
                      .setSeconds(Instant.now().getEpochSecond()))
              .build());
      churn.removeContainer(id);
      containerd.publish(
          "churn", "/containers/delete", ContainerDelete.newBuilder().setId(id).build());
    }
    // Gone from the listing as from a real containerd: the reconcile's confirming pass (5 s after
    // the subscription) must not find it again when the churn is over sooner.
    containerd.removeNamespace("churn");
    containerd.publish(
        "churn", "/namespaces/delete", NamespaceDelete.newBuilder().setName("churn").build());
    Await.until(
        Duration.ofSeconds(120),
        "every event applied",
        state::counts,
        c -> c.events().getOrDefault(List.of("churn", "/namespaces/delete"), 0L) == 1);
    assertEquals(
        (long) CONTAINERS, state.counts().events().get(List.of("churn", "/containers/delete")));

    Await.until(
        RETENTION.multipliedBy(4),
        "every structure back to its size before the churn",
        state::sizes,
        sizes -> sizes.equals(baseline));
    assertEquals(
        0,
        index.all().stream().filter(c -> c.namespace().equals("churn")).count(),
        "the index the event path writes forgets them too");
  }
}
