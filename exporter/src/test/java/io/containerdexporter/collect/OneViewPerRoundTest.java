package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.containerdexporter.config.CommandLineParser;
import io.containerdexporter.config.ExporterConfig;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.index.ContainerIndex;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every collector of a round works from one listing of containerd: Containers.ListStream and
 * Tasks.List run once per namespace per round, Introspection.Plugins once per round, whichever
 * collectors are on, and the container index is filled from that listing even when the containers
 * collector is off.
 */
class OneViewPerRoundTest {

  @TempDir Path cgroupfs;

  private final FakeContainerd containerd = new FakeContainerd();
  private ContainerdChannel channel;

  @AfterEach
  void stop() {
    if (channel != null) {
      channel.close();
    }
    containerd.close();
  }

  private Poller poller(ContainerIndex index, String... flags) throws Exception {
    containerd
        .namespace("default")
        .container("web", "nginx", Map.of("app", "web"))
        .task("web", 10, Status.RUNNING)
        .container("db", "postgres", Map.of())
        .task("db", 11, Status.RUNNING);
    containerd
        .namespace("k8s.io")
        .container("pod", "pause", Map.of())
        .task("pod", 12, Status.RUNNING);
    containerd.start();
    channel = new ContainerdChannel(containerd.socket());
    String[] args =
        java.util.stream.Stream.concat(
                java.util.stream.Stream.of(
                    "--path.cgroupfs=" + cgroupfs, "--path.procfs=" + cgroupfs),
                List.of(flags).stream())
            .toArray(String[]::new);
    ExporterConfig config =
        ((CommandLineParser.Run)
                CommandLineParser.parse(
                    args,
                    CollectorCatalog.switches(),
                    new PrintWriter(Writer.nullWriter()),
                    new PrintWriter(Writer.nullWriter())))
            .config();
    ContainerdClient client = new ContainerdClient(channel, config.containerdTimeout());
    return new Poller(
        CollectorCatalog.build(client, config, index),
        new RoundLister(client, config.poll().namespaces(), index)::list,
        config.poll().interval(),
        config.poll().timeout(),
        config.poll().maxStaleness(),
        Clock.systemUTC());
  }

  @Test
  void containersTasksAndSnapshottersAreListedOncePerRound() throws Exception {
    try (Poller poller = poller(new ContainerIndex())) {
      PollResult result = poller.pollOnce();
      assertTrue(
          result.collectors().values().stream().allMatch(CollectorState::success),
          result.toString());
      assertEquals(
          2, containerd.calls("containerd.services.tasks.v1.Tasks/List"), "once per namespace");
      assertEquals(2, containerd.calls("containerd.services.containers.v1.Containers/ListStream"));
      assertEquals(
          1, containerd.calls("containerd.services.introspection.v1.Introspection/Plugins"));
      poller.pollOnce();
      assertEquals(
          4,
          containerd.calls("containerd.services.tasks.v1.Tasks/List"),
          "and again the next round");
    }
  }

  @Test
  void withoutTheContainersCollectorTheIndexIsStillFilledAndPruned() throws Exception {
    ContainerIndex index = new ContainerIndex();
    try (Poller poller = poller(index, "--no-collector.containers")) {
      poller.pollOnce();
      assertEquals("nginx", index.get("default", "web").orElseThrow().image());
      assertEquals(3, index.size());
      containerd.namespace("default").removeContainer("db");
      poller.pollOnce();
      assertTrue(
          index.get("default", "db").isEmpty(),
          "a container deleted while no event told us goes too");
      assertEquals(2, index.size());
    }
  }
}
