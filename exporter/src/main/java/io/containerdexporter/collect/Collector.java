package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilySpec;
import java.util.List;

/**
 * Reads one part of the node's state and renders its families. One collector per file, each with
 * its family table. The poller runs collectors in parallel, each under a deadline; a collector that
 * throws or overruns keeps the families it rendered last.
 */
public interface Collector {

  /**
   * The name in {@code --collector.NAME} and in the {@code collector} label of the self-metrics.
   */
  String name();

  /** Every family this collector renders, declared once. */
  List<FamilySpec> families();

  /** Reads and renders. Runs on a poller thread; may block on I/O, must honour interruption. */
  List<Family> collect(PollScope scope) throws Exception;
}
