package io.containerdexporter.pulls;

import java.time.Instant;

/**
 * What one containerd log line says about an image pull (CRI's {@code PullImage "REF"}, {@code …
 * returns image reference …}, {@code … failed}).
 */
public sealed interface PullRecord {

  /** The image reference as the client asked for it. */
  String reference();

  /** When containerd logged it (its own timestamp, else the journal's, else when it was read). */
  Instant at();

  record Started(String reference, Instant at) implements PullRecord {}

  record Succeeded(String reference, Instant at) implements PullRecord {}

  record Failed(String reference, String error, Instant at) implements PullRecord {}

  /**
   * CRI's {@code cancel pulling image REF because of no progress in …}: the failure of that pull
   * that follows ("context canceled") was a timeout.
   */
  record Stalled(String reference, Instant at) implements PullRecord {}
}
