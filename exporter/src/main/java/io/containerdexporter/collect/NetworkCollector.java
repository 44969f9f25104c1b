package io.containerdexporter.collect;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ContainerInfo;
import io.containerdexporter.model.NetworkNamespace;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.containerdexporter.model.TaskStatus;
import io.containerdexporter.proc.NetDev;
import io.containerdexporter.proc.Procfs;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * cAdvisor's network families, per network namespace that belongs to one pod or one container: read
 * from {@code /proc/<pid>/net/dev} of the task that owns the namespace, one series per interface
 * except {@code lo}.
 *
 * <p>Which tasks: live ones (running or paused, with a pid) whose container owns its namespace. A
 * CRI sandbox ({@code io.cri-containerd.kind=sandbox}) owns its pod's, and its identity has {@code
 * container=""} with the pod's names: what dashboard 13105's network panels sum. CRI app containers
 * join the sandbox's namespace and are skipped, as cAdvisor skips them, or every pod's traffic
 * would count once per container. A non-CRI container (no kind label: ctr, nerdctl, moby) is read
 * as the owner of its namespace. Two tasks left that still share one namespace (nerdctl's {@code
 * --net container:X}) are reported once, on the earlier created container, for the same reason.
 *
 * <p>A namespace that is the host's (pid 1's: a hostNetwork pod, {@code ctr run --net-host}) is
 * skipped: its counters are the node's, and summing them per pod would multiply the node's traffic
 * by its host-network pods.
 */
public final class NetworkCollector implements Collector {

  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(NetworkCollector.class.getName());

  /** One cAdvisor family and the counter of an interface it shows. */
  record NetFamily(FamilySpec spec, ToDoubleFunction<NetDev.Interface> value) {}

  static final List<String> LABELS = ContainerStatsTable.with("interface");

  static final List<NetFamily> FAMILIES =
      List.of(
          family(
              "receive_bytes",
              Unit.BYTES,
              "Cumulative count of bytes received",
              NetDev.Interface::receiveBytes),
          family(
              "receive_packets",
              null,
              "Cumulative count of packets received",
              NetDev.Interface::receivePackets),
          family(
              "receive_errors",
              null,
              "Cumulative count of errors encountered while receiving",
              NetDev.Interface::receiveErrors),
          family(
              "receive_packets_dropped",
              null,
              "Cumulative count of packets dropped while receiving",
              NetDev.Interface::receiveDropped),
          family(
              "transmit_bytes",
              Unit.BYTES,
              "Cumulative count of bytes transmitted",
              NetDev.Interface::transmitBytes),
          family(
              "transmit_packets",
              null,
              "Cumulative count of packets transmitted",
              NetDev.Interface::transmitPackets),
          family(
              "transmit_errors",
              null,
              "Cumulative count of errors encountered while transmitting",
              NetDev.Interface::transmitErrors),
          family(
              "transmit_packets_dropped",
              null,
              "Cumulative count of packets dropped while transmitting",
              NetDev.Interface::transmitDropped));

  static final FamilySpec READ_ERRORS =
      FamilySpec.counter(
          "containerd_exporter_procfs_read_errors_total",
          "Procfs reads that could not be used, by file below the pid (net/dev: one per malformed line, which is left "
              + "out; ns/net: a namespace link that could not be read; fd, limits: of the processes collector); each file is "
              + "logged once.",
          "file");

  private static final String CRI_KIND = "io.cri-containerd.kind";

  /** The loopback interface: traffic that never leaves the pod, which cAdvisor leaves out too. */
  static final String LOOPBACK = "lo";

  /**
   * The node's series ({@code id="/"}, cAdvisor's root container) are pid 1's interfaces: the host
   * network namespace, as cAdvisor reads them from its root.
   */
  static final long HOST_PID = 1;

  /**
   * Interfaces cAdvisor leaves out of every container's network stats (its ignoredDevicePrefixes):
   * the node's series would otherwise count each pod's traffic twice, once on its veth.
   */
  static final List<String> NODE_IGNORED_PREFIXES = List.of("lo", "veth", "docker", "nerdctl");

  static boolean nodeIgnored(String interfaceName) {
    return NODE_IGNORED_PREFIXES.stream().anyMatch(interfaceName::startsWith);
  }

  /**
   * A task whose container owns a network namespace, with what is known of it before procfs is
   * read.
   */
  private record Owner(TaskInfo task, ContainerInfo container) {}

  private final ContainerIndex index;
  private final Procfs procfs;

  NetworkCollector(ContainerIndex index, Procfs procfs) {
    this.index = index;
    this.procfs = procfs;
  }

  @Override
  public String name() {
    return "network";
  }

  @Override
  public List<FamilySpec> families() {
    List<FamilySpec> all = new ArrayList<>();
    FAMILIES.forEach(f -> all.add(f.spec()));
    all.add(READ_ERRORS);
    return all;
  }

  @Override
  public List<Family> collect(PollScope scope) throws IOException, InterruptedException {
    Map<FamilySpec, FamilyBuilder> out = new LinkedHashMap<>();
    families().forEach(f -> out.put(f, f.builder()));
    OptionalLong host = OptionalLong.empty();
    Set<Long> reported = new HashSet<>();
    for (Owner owner : owners(scope)) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("network collector interrupted");
      }
      if (owner.container().network() == NetworkNamespace.HOST) {
        continue; // the spec says host network: its counters are the node's, not the pod's
      }
      OptionalLong netns = procfs.netNamespace(owner.task().pid());
      if (netns.isEmpty()) {
        continue; // gone, or unreadable (counted)
      }
      if (owner.container().network() == NetworkNamespace.UNKNOWN) {
        // No spec to go by: compare with the node's namespace (pid 1's), if it can be read at all.
        if (host.isEmpty()) {
          host = hostNamespace();
        }
        if (host.isEmpty() || netns.getAsLong() == host.getAsLong()) {
          continue; // the node's, or cannot tell: leave it out rather than show the node's traffic
          // as a pod's
        }
      }
      if (!reported.add(netns.getAsLong())) {
        continue; // already reported for the container that owns it
      }
      Optional<List<NetDev.Interface>> interfaces = procfs.netDev(owner.task().pid());
      if (interfaces.isPresent()) {
        add(out, index.identity(owner.container()), interfaces.get());
      }
    }
    procfs
        .netDev(HOST_PID)
        .ifPresent(
            interfaces ->
                add(
                    out,
                    ContainerIdentity.ROOT,
                    interfaces.stream().filter(i -> !nodeIgnored(i.name())).toList()));
    procfs.errors().snapshot().forEach((file, n) -> out.get(READ_ERRORS).add(n, file));
    return out.values().stream().<Family>map(FamilyBuilder::build).toList();
  }

  /**
   * The live tasks whose container owns its network namespace, sandboxes first, then earliest
   * created first: when two still share one, the first is the one that made it (a container joins
   * only a namespace that exists). Sandboxes lead so that a CRI app container the index knows only
   * from its create event (no labels yet, created "at" the epoch) can never take its pod's
   * namespace from the sandbox.
   */
  private List<Owner> owners(PollScope scope) {
    List<Owner> owners = new ArrayList<>();
    for (RoundView.LiveTask live : scope.view().liveTasks()) {
      TaskInfo task = live.task();
      if ((task.status() == TaskStatus.RUNNING || task.status() == TaskStatus.PAUSED)
          && task.pid() > 0
          && ownsNetworkNamespace(live.container())) {
        owners.add(new Owner(task, live.container()));
      }
    }
    owners.sort(
        Comparator.comparing((Owner o) -> !isSandbox(o.container()))
            .thenComparing(o -> o.container().createdAt())
            .thenComparing(o -> o.container().namespace())
            .thenComparing(o -> o.container().id()));
    return owners;
  }

  /**
   * A CRI sandbox, or a container CRI did not make; never a CRI app container, which joins its
   * sandbox's.
   */
  static boolean ownsNetworkNamespace(ContainerInfo c) {
    return isSandbox(c) || !c.labels().containsKey(CRI_KIND);
  }

  private static boolean isSandbox(ContainerInfo c) {
    return "sandbox".equals(c.labels().get(CRI_KIND));
  }

  /**
   * pid 1's network namespace; empty where it cannot be read (a sandbox without ptrace rights over
   * pid 1).
   */
  private OptionalLong hostNamespace() {
    try {
      return OptionalLong.of(procfs.hostNetNamespace());
    } catch (IOException e) {
      if (!hostNamespaceUnreadableLogged) {
        hostNamespaceUnreadableLogged = true;
        LOG.warning(
            "cannot read the host's network namespace (pid 1's ns/net under --path.procfs): "
                + e
                + "; containers whose spec does not say which network they use are left out");
      }
      return OptionalLong.empty();
    }
  }

  private boolean hostNamespaceUnreadableLogged;

  private static void add(
      Map<FamilySpec, FamilyBuilder> out,
      ContainerIdentity identity,
      List<NetDev.Interface> interfaces) {
    for (NetDev.Interface i : interfaces) {
      if (i.name().equals(LOOPBACK)) {
        continue;
      }
      String[] labels = identity.labelValuesWith(i.name());
      for (NetFamily f : FAMILIES) {
        out.get(f.spec()).add(f.value().applyAsDouble(i), labels);
      }
    }
  }

  private static NetFamily family(
      String what, Unit unit, String help, ToDoubleFunction<NetDev.Interface> value) {
    String name = "container_network_" + what + "_total";
    return new NetFamily(
        new FamilySpec(
            name,
            MetricType.COUNTER,
            help
                + " per interface of the pod's network "
                + "namespace (or a non-CRI container's own), from /proc/PID/net/dev.",
            unit,
            LABELS),
        value);
  }
}
