package io.containerdexporter.collect;

import static io.containerdexporter.containerd.api.types.task.Status.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.services.containers.v1.Container;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.metrics.Snapshots;
import io.containerdexporter.model.NetworkNamespace;
import io.containerdexporter.proc.Procfs;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NetworkCollector}'s choices that the end-to-end test cannot set up through the fake alone:
 * containers the index knows with other creation times or without labels, and a host namespace that
 * cannot be read. Tasks come from a fake containerd, containers from the index (which the collector
 * asks first), procfs is a temporary tree.
 */
class NetworkCollectorTest {

  private static final long HOST = 4026531992L;
  private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
  private static final String ETH0 = "  eth0: 100 1 0 0 0 0 0 0 200 2 0 0 0 0 0 0\n";

  @TempDir Path procfs;

  private final FakeContainerd containerd = new FakeContainerd();
  private final ContainerIndex index = new ContainerIndex();
  private ContainerdChannel channel;
  private ContainerdClient client;
  private NetworkCollector collector;

  @BeforeEach
  void start() throws IOException {
    containerd.namespace("default");
    containerd.start();
    channel = new ContainerdChannel(containerd.socket());
    client = new ContainerdClient(channel, Duration.ofSeconds(5));
    collector =
        new NetworkCollector(
            index,
            new Procfs(procfs, new ReadErrors("procfs", NetworkCollector.READ_ERRORS.name())));
  }

  @AfterEach
  void stop() {
    channel.close();
    containerd.close();
  }

  /**
   * Two non-CRI tasks in one namespace (nerdctl --net container:X): once, on the container created
   * first.
   */
  @Test
  void aSharedNamespaceIsReportedOnceOnTheEarlierContainer() throws Exception {
    // Ids sort the other way round, so only the creation time can pick the owner.
    container("a-joiner", T0.plusSeconds(60), Map.of());
    container("z-owner", T0, Map.of());
    task("a-joiner", 101, 4026532600L);
    task("z-owner", 102, 4026532600L);
    host();

    assertEquals(List.of("z-owner/eth0"), series(Snapshots.of(collector.collect(scope()))));
  }

  /**
   * A CRI app container the index knows only from its create event (no labels, created "at" the
   * epoch, as ContainerInfo.fromCreateEvent makes it) looks like a non-CRI owner: the sandbox still
   * keeps its pod's namespace.
   */
  @Test
  void theSandboxKeepsItsNamespaceFromAnAppContainerWithoutLabelsYet() throws Exception {
    container("sandbox", T0, Map.of("io.cri-containerd.kind", "sandbox"));
    container(
        "app", Instant.EPOCH, Map.of()); // what the index had from a create event: no labels, epoch
    task("sandbox", 201, 4026532481L);
    task("app", 202, 4026532481L);
    host();

    assertEquals(List.of("sandbox/eth0"), series(Snapshots.of(collector.collect(scope()))));
  }

  @Test
  void aTaskWhoseContainerIsGoneIsSkipped() throws Exception {
    containerd
        .namespace("default")
        .task("deleted", 301, RUNNING); // neither in the index nor in containerd
    writeNetDev(301, 4026532700L);
    host();

    assertEquals(List.of(), series(Snapshots.of(collector.collect(scope()))));
  }

  /**
   * Without pid 1's namespace, a container whose spec does not say which network it uses cannot be
   * told from the node and is left out; one whose spec lists a network namespace is still reported,
   * one on the host's is not.
   */
  @Test
  void withoutTheHostNamespaceTheSpecDecides() throws Exception {
    container("unknown", T0, Map.of());
    task("unknown", 401, 4026532600L);
    container("own", T0, Map.of(), NetworkNamespace.PRIVATE);
    task("own", 402, 4026532601L);
    container("host", T0, Map.of(), NetworkNamespace.HOST);
    task("host", 403, 4026532602L);

    List<String> names =
        series(Snapshots.of(collector.collect(scope()))).stream().distinct().toList();
    assertTrue(names.stream().allMatch(s -> s.startsWith("own/")), names.toString());
    assertTrue(!names.isEmpty(), "the container with its own network is reported");
  }

  /**
   * ... but only once a task's namespace was read: with only CRI app containers, or tasks whose
   * pids are not under --path.procfs (a fake containerd's, a task that exited), there is nothing to
   * tell from the node.
   */
  @Test
  void noNamespaceReadNoNeedForTheHostNamespace() throws Exception {
    container("app", T0, Map.of("io.cri-containerd.kind", "container"));
    task("app", 501, 4026532481L);
    container("gone", T0, Map.of());
    containerd.namespace("default").task("gone", 502, RUNNING); // no /proc/502

    assertEquals(List.of(), series(Snapshots.of(collector.collect(scope()))));
  }

  @Test
  void everyFamilyIsDeclaredAndRendered() throws Exception {
    host();
    List<MetricSnapshot> out = Snapshots.of(collector.collect(scope()));
    assertEquals(
        collector.families().stream().map(f -> f.snapshotName()).toList(),
        out.stream().map(s -> s.getMetadata().getName()).toList());
    assertEquals(9, collector.families().size());
    assertEquals("network", collector.name());
  }

  // ---------------------------------------------------------------- helpers

  private void container(String id, Instant createdAt, Map<String, String> labels) {
    container(id, createdAt, labels, NetworkNamespace.UNKNOWN);
  }

  /**
   * A container in the fake containerd, with the network its spec gives it (UNKNOWN: no namespaces
   * listed).
   */
  private void container(
      String id, Instant createdAt, Map<String, String> labels, NetworkNamespace network) {
    String namespaces =
        switch (network) {
          case UNKNOWN -> "";
          case HOST -> ",\"namespaces\":[{\"type\":\"pid\"}]";
          case PRIVATE -> ",\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\"}]";
        };
    String spec =
        "{\"ociVersion\":\"1.2.0\",\"linux\":{\"cgroupsPath\":\"/default/"
            + id
            + "\""
            + namespaces
            + "}}";
    containerd
        .namespace("default")
        .container(
            Container.newBuilder()
                .setId(id)
                .setImage("docker.io/library/nginx:1.27")
                .putAllLabels(labels)
                .setRuntime(Container.Runtime.newBuilder().setName("io.containerd.runc.v2"))
                .setSpec(
                    Any.newBuilder()
                        .setTypeUrl(FakeNamespace.SPEC_TYPE_URL)
                        .setValue(ByteString.copyFromUtf8(spec)))
                .setSnapshotter("overlayfs")
                .setSnapshotKey(id)
                .setCreatedAt(Timestamp.newBuilder().setSeconds(createdAt.getEpochSecond()))
                .setUpdatedAt(Timestamp.newBuilder().setSeconds(createdAt.getEpochSecond()))
                .build());
  }

  private void task(String id, int pid, long netns) throws IOException {
    containerd.namespace("default").task(id, pid, RUNNING);
    writeNetDev(pid, netns);
  }

  private void writeNetDev(int pid, long netns) throws IOException {
    Files.createDirectories(procfs.resolve(pid + "/ns"));
    Files.createDirectories(procfs.resolve(pid + "/net"));
    Files.createSymbolicLink(procfs.resolve(pid + "/ns/net"), Path.of("net:[" + netns + "]"));
    Files.writeString(
        procfs.resolve(pid + "/net/dev"), "    lo: 1 1 0 0 0 0 0 0 1 1 0 0 0 0 0 0\n" + ETH0);
  }

  private void host() throws IOException {
    Files.createDirectories(procfs.resolve("1/ns"));
    Files.createSymbolicLink(procfs.resolve("1/ns/net"), Path.of("net:[" + HOST + "]"));
  }

  private PollScope scope() {
    return Rounds.scope(client, index, Instant.now(), "default");
  }

  /** "name/interface" of every receive-bytes series. */
  private static List<String> series(List<MetricSnapshot> out) {
    CounterSnapshot bytes =
        (CounterSnapshot)
            out.stream()
                .filter(s -> s.getMetadata().getName().equals("container_network_receive_bytes"))
                .findFirst()
                .orElseThrow();
    return bytes.getDataPoints().stream()
        .map(d -> d.getLabels().get("name") + "/" + d.getLabels().get("interface"))
        .collect(Collectors.toCollection(TreeSet::new))
        .stream()
        .toList();
  }
}
