package io.containerdexporter.metrics;

import java.util.List;

/**
 * One part of /metrics. It declares its families once, and renders them from state that was already
 * published (a snapshot, an atomic counter map): rendering never calls containerd, reads a file or
 * waits on a lock the poller holds.
 */
public interface MetricSource {

  /**
   * Every family this source may render, declared up front so the registry can check names and
   * labels.
   */
  List<FamilySpec> families();

  /** Renders the current state. A family with no series may be left out. */
  List<Family> render();
}
