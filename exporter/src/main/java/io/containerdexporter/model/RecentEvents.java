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

  public synchronized List<RecentEvent> list() {
    return List.copyOf(new ArrayList<>(events));
  }
}
