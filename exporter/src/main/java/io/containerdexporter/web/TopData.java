package io.containerdexporter.web;

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

  /** containerd itself: up, version, uptime, its own process's CPU and RSS. */
  public record Containerd(
      boolean up,
      String address,
      String version,
      String revision,
      Double uptimeSeconds,
      Double cpuSecondsTotal,
      Double cpuCores,
      Double residentMemoryBytes) {}

  /** One containerd namespace's inventory. */
  public record Namespace(
      String name,
      Map<String, Long> tasks,
      Long containers,
      Long images,
      Long imageBytes,
      Long pullsInFlight,
      Long pullsStalled) {}

  /**
   * One container of the top lists; {@code cpuCores} is the rate between the last two rounds (null
   * after the first).
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
      Double workingSetBytes) {}

  /** How one collector fared in the latest round. */
  public record CollectorHealth(
      String name, boolean success, double durationSeconds, Double ageSeconds, long failures) {}

  /** The Events.Subscribe stream. */
  public record EventStream(boolean up) {}
}
