package io.containerdexporter.collect;

import io.containerdexporter.config.FamilyFilter;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import java.time.Instant;
import java.util.List;

/**
 * What one poll round shares with every collector: the round's one view of containerd, listed once
 * at its start, and which families are wanted at all ({@code --metrics.include/exclude}), so a
 * collector skips the work of a family nobody will see.
 */
public record PollScope(RoundView view, FamilyFilter families) {

  public PollScope(RoundView view) {
    this(view, FamilyFilter.ALL);
  }

  /** The containerd namespaces to read, already filtered. */
  public List<String> namespaces() {
    return view.namespaces();
  }

  /** The start of the round. */
  public Instant now() {
    return view.startedAt();
  }

  /** Whether the family is served: if not, the collector need not compute it. */
  public boolean wants(FamilySpec family) {
    return families.includes(family.name());
  }

  PollScope withFamilies(FamilyFilter filter) {
    return new PollScope(view, filter);
  }
}
