package io.containerdexporter.model;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@link #SIZE} {@link RecentEvent}s of one kind, newest first; thread-safe. */
public final class RecentEvents {

  public static final int SIZE = 20;

  private final ArrayDeque<RecentEvent> events = new ArrayDeque<>(SIZE);

  public synchronized void add(RecentEvent e) {
    if (events.size() == SIZE) {
      events.removeLast();
    }
    events.addFirst(e);
  }

  /** Replaces {@code old} (the very instance added) by {@code updated}, if it is still listed. */
  public synchronized void replace(RecentEvent old, RecentEvent updated) {
    List<RecentEvent> copy = new ArrayList<>(events);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i) == old) {
        copy.set(i, updated);
        events.clear();
        events.addAll(copy);
        return;
      }
    }
  }

  /** Takes {@code e} (the very instance added) off the list, if it is still listed. */
  public synchronized void remove(RecentEvent e) {
    events.removeIf(listed -> listed == e);
  }

  public synchronized List<RecentEvent> list() {
    return List.copyOf(new ArrayList<>(events));
  }
}
