package io.containerdexporter.collect;

import java.time.Instant;
import java.util.List;

/**
 * What one poll round shares with every collector.
 *
 * @param namespaces the containerd namespaces to read, listed once per round and already filtered
 * @param now the start of the round
 */
public record PollScope(List<String> namespaces, Instant now) {

  public PollScope {
    namespaces = List.copyOf(namespaces);
  }
}
