package io.containerdexporter.web;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.containerdexporter.model.RecentEvent;
import java.util.List;
import java.util.Map;

/**
 * What {@code /} and {@code /api/v1/top} show: built once per poll round from the published state,
 * never from a call to containerd. Absent numbers are {@code null} (JSON {@code null}, "–" on the
 * page).
 */
public record TopData(
    String generatedAt,
    Containerd containerd,
    List<Namespace> namespaces,
    List<ContainerRow> topCpu,
    List<ContainerRow> topMemory,
    List<CollectorHealth> collectors,
    EventStream eventStream,
    List<RecentEvent> recentOoms,
    List<RecentEvent> recentExits,
    List<RecentEvent> recentFailedPulls,
    Map<String, String> flags,
    Map<String, String> links) {

  /**
   * containerd itself: up, version, uptime, its own process's CPU, RSS, fds and threads, and its
   * shims' memory. {@code processVisible} is false when containerd's process is not under {@code
   * --path.procfs} (then the process numbers and the shims are null: unknown, not zero), null when
   * the containerd-process collector is off.
   */
  public record Containerd(
      boolean up,
      String address,
      String version,
      String revision,
      Double uptimeSeconds,
      Double cpuSecondsTotal,
      Double cpuCores,
      Double residentMemoryBytes,
      Boolean processVisible,
      Long openFds,
      Long threads,
      Double shimsResidentMemoryBytes) {

    /** The same with what the connection monitor says now (read per request, not per round). */
    Containerd live(boolean nowUp, String nowVersion, String nowRevision) {
      return new Containerd(
          nowUp,
          address,
          nowVersion,
          nowRevision,
          uptimeSeconds,
          cpuSecondsTotal,
          cpuCores,
          residentMemoryBytes,
          processVisible,
          openFds,
          threads,
          shimsResidentMemoryBytes);
    }
  }

  /** One containerd namespace's inventory, and its shims (leaked: serving no task). */
  public record Namespace(
      String name,
      Map<String, Long> tasks,
      Long containers,
      Long images,
      Long imageBytes,
      Long pullsInFlight,
      Long pullsStalled,
      Long shims,
      Long shimsLeaked) {}

  /**
   * One container of the top lists; {@code cpuCores} is the rate between the last two rounds (null
   * after the first). {@code id} is the cgroup path and {@code name} containerd's id (the series'
   * cAdvisor labels); {@code displayName}, {@code shortId} and {@code kind} say how a person reads
   * it: a Kubernetes container by its container name, a pod's sandbox as such, anything else by its
   * containerd id (derived, so JSON has them beside the labels). A CRI id is 64 hex digits, too
   * long for a table: {@code shortId} has the first 12, as crictl and docker print them.
   */
  public record ContainerRow(
      String id,
      String name,
      String containerdNamespace,
      String namespace,
      String pod,
      String container,
      String image,
      Double cpuCores,
      Double workingSetBytes) {

    static final String SANDBOX_NAME = "pod sandbox";

    /** How a row is named; JSON writes it as {@code kubernetes}, {@code sandbox}, {@code plain}. */
    public enum Kind {
      /** A container of a Kubernetes pod: named by {@code io.kubernetes.container.name}. */
      @JsonProperty("kubernetes")
      KUBERNETES,
      /**
       * A pod's sandbox (pause) container: it has the pod's labels but no container name, as CRI
       * gives every other container of a pod one.
       */
      @JsonProperty("sandbox")
      SANDBOX,
      /** Not a pod's (ctr, nerdctl, moby): its containerd id is its name. */
      @JsonProperty("plain")
      PLAIN
    }

    @JsonProperty
    public Kind kind() {
      return !container.isEmpty() ? Kind.KUBERNETES : !pod.isEmpty() ? Kind.SANDBOX : Kind.PLAIN;
    }

    /** What the page names the row by. */
    @JsonProperty
    public String displayName() {
      return switch (kind()) {
        case KUBERNETES -> container;
        case SANDBOX -> SANDBOX_NAME;
        case PLAIN -> name;
      };
    }

    /** The first 12 digits of a 64-hex id; any other id whole. */
    @JsonProperty
    public String shortId() {
      return name.length() == 64 && name.chars().allMatch(TopData::isLowerHex)
          ? name.substring(0, 12)
          : name;
    }
  }

  private static boolean isLowerHex(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  }

  /** How one collector fared in the latest round. */
  public record CollectorHealth(
      String name, boolean success, double durationSeconds, Double ageSeconds, long failures) {}

  /** The Events.Subscribe stream. */
  public record EventStream(boolean up) {}
}
