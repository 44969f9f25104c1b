package io.containerdexporter.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one poll round knows of containerd, listed once at its start and shared by every collector
 * of the round, so they all agree on which containers and tasks exist: the watched namespaces, each
 * one's containers and tasks, and the snapshotters. Immutable.
 *
 * @param startedAt when the round began (before anything was listed)
 * @param namespaces the watched containerd namespaces, sorted
 * @param snapshotters the loaded snapshotters and their roots, or why they could not be listed;
 *     only the collectors that need them fail when it is a failure
 */
public record RoundView(
    Instant startedAt,
    List<String> namespaces,
    Map<String, NamespaceView> byNamespace,
    Listing<Map<String, String>> snapshotters) {

  /**
   * One namespace's containers (by id) and tasks, in the order containerd listed them, and how its
   * Tasks.List went.
   */
  public record NamespaceView(
      Map<String, ContainerInfo> containers, List<TaskInfo> tasks, TaskListing listing) {
    public NamespaceView {
      containers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(containers));
      tasks = List.copyOf(tasks);
    }

    public static NamespaceView of(List<ContainerInfo> containers, List<TaskInfo> tasks) {
      Map<String, ContainerInfo> byId = new LinkedHashMap<>();
      containers.forEach(c -> byId.put(c.id(), c));
      return new NamespaceView(byId, tasks, TaskListing.NONE);
    }

    /** The same containers and tasks, with how their Tasks.List went. */
    public NamespaceView with(TaskListing listing) {
      return new NamespaceView(containers, tasks, listing);
    }
  }

  /**
   * How a namespace's Tasks.List went: how long containerd took, and the tasks it stopped listing
   * while their container stays and no exit came (what a hung shim looks like: containerd lists a
   * task as UNKNOWN, or leaves it out, when its shim does not answer State within its own 2 s),
   * with the count of such disappearances so far.
   *
   * @param unlisted container ids whose task containerd stopped listing, suspected hung
   * @param unlistedTotal tasks that went unlisted so far in the namespace (a counter)
   */
  public record TaskListing(
      java.time.Duration took, java.util.Set<String> unlisted, long unlistedTotal) {
    public static final TaskListing NONE =
        new TaskListing(java.time.Duration.ZERO, java.util.Set.of(), 0);

    public TaskListing {
      unlisted = java.util.Set.copyOf(unlisted);
    }
  }

  /** A value listed for the round, or the failure that prevented it. */
  public record Listing<T>(Optional<T> value, Optional<RuntimeException> failure) {

    public static <T> Listing<T> of(Supplier<T> call) {
      try {
        return new Listing<>(Optional.of(call.get()), Optional.empty());
      } catch (RuntimeException e) {
        return new Listing<>(Optional.empty(), Optional.of(e));
      }
    }

    /**
     * The value, or the listing's failure rethrown (which fails the collector that asked, not the
     * round).
     */
    public T get() {
      if (failure.isPresent()) {
        throw failure.get();
      }
      return value.orElseThrow();
    }
  }

  /**
   * A live task of the round with its container, as the collectors that read per-task data iterate
   * them.
   */
  public record LiveTask(TaskInfo task, ContainerInfo container) {}

  public RoundView {
    namespaces = List.copyOf(namespaces);
    byNamespace = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byNamespace));
  }

  public Map<String, ContainerInfo> containers(String namespace) {
    return byNamespace.get(namespace).containers();
  }

  public List<TaskInfo> tasks(String namespace) {
    return byNamespace.get(namespace).tasks();
  }

  public TaskListing listing(String namespace) {
    return byNamespace.get(namespace).listing();
  }

  /**
   * The tasks with a process (not stopped, not unknown) whose container was listed too, namespace
   * by namespace. A task whose container was created between the two listings is left for the next
   * round.
   */
  public List<LiveTask> liveTasks() {
    List<LiveTask> out = new ArrayList<>();
    for (String namespace : namespaces) {
      NamespaceView ns = byNamespace.get(namespace);
      for (TaskInfo task : ns.tasks()) {
        ContainerInfo container = ns.containers().get(task.containerId());
        if (container != null && task.status().hasProcess()) {
          out.add(new LiveTask(task, container));
        }
      }
    }
    return out;
  }

  /** A round with nothing in it, e.g. for a collector test that lists nothing. */
  public static RoundView empty(Instant at) {
    return new RoundView(at, List.of(), Map.of(), Listing.of(Map::of));
  }
}
