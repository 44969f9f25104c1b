package io.containerdexporter.collect;

import io.containerdexporter.model.RoundView;
import java.time.Instant;
import java.util.List;

/**
 * What one poll round shares with every collector: the round's one view of containerd, listed once
 * at its start.
 */
public record PollScope(RoundView view) {

  /** The containerd namespaces to read, already filtered. */
  public List<String> namespaces() {
    return view.namespaces();
  }

  /** The start of the round. */
  public Instant now() {
    return view.startedAt();
  }
}
