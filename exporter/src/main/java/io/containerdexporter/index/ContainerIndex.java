package io.containerdexporter.index;

import io.containerdexporter.model.ContainerInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;

/**
 * Every container the exporter knows, by containerd namespace and id, for the labels of event
 * series. Written from two sides only: each poll round's listing ({@link #applyRound}) and the
 * event path's deltas ({@link #put}, {@link #remove}). Readers never block.
 *
 * <p>A round's listing is a picture of some moment during its calls, and events keep arriving
 * meanwhile. So every write carries a sequence number, and a round only overrides what was written
 * before it began listing ({@link #mark()}): a container an event created during the listing is not
 * dropped for missing from it, and one an event deleted during the listing is not brought back by
 * it (the deletion stays as a tombstone until a round that began after it has listed without it).
 */
public final class ContainerIndex {

  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(ContainerIndex.class.getName());

  public record Key(String namespace, String id) {}

  /** {@code container} is null for a tombstone: deleted by an event newer than the last round. */
  private record Entry(ContainerInfo container, long seq) {}

  private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();

  /** Grows with every write, so a reader can tell that labels may have changed without a look. */
  private final AtomicLong changes = new AtomicLong();

  private final ContainerLabelFilter labelFilter;
  private final TaskEnds taskEnds = new TaskEnds();

  public ContainerIndex() {
    this(ContainerLabelFilter.NONE);
  }

  /**
   * @param labelFilter which container labels every per-container series carries ({@code
   *     --labels.container-labels})
   */
  public ContainerIndex(ContainerLabelFilter labelFilter) {
    this.labelFilter = labelFilter;
  }

  /**
   * The label set of a container's series: the one place where {@code --labels.container-labels}
   * applies.
   */
  public ContainerIdentity identity(ContainerInfo c) {
    Key key = new Key(c.namespace(), c.id());
    Identified known = identities.get(key);
    if (known != null && known.container() == c) {
      return known.identity();
    }
    ContainerIdentity identity = ContainerIdentity.of(c, labelFilter);
    identities.put(key, new Identified(c, identity));
    return identity;
  }

  /**
   * A container's identity as computed from that very ContainerInfo (compared by reference: a
   * container an event or a later listing rewrote is another instance, so never a stale label).
   * Some six collectors ask for every container's identity each round, and each answer cost a
   * cgroup path conversion, label look-ups and a map copy.
   */
  private record Identified(ContainerInfo container, ContainerIdentity identity) {}

  private final Map<Key, Identified> identities = new ConcurrentHashMap<>();

  /**
   * Taken right before a round lists containerd: writes after it are newer than anything the
   * listing shows.
   */
  public long mark() {
    return sequence.get();
  }

  /**
   * What a round listed, {@code namespaces} being every watched namespace and {@code listed} their
   * containers: the truth as of {@code mark}. Entries written after the mark (by events) are kept
   * as they are.
   */
  public void applyRound(
      long mark, Set<String> namespaces, Map<String, ? extends Iterable<ContainerInfo>> listed) {
    Set<Key> seen = new java.util.HashSet<>();
    listed.forEach(
        (namespace, containers) -> {
          for (ContainerInfo c : containers) {
            Key key = new Key(namespace, c.id());
            seen.add(key);
            entries.compute(key, (k, e) -> e != null && e.seq() > mark ? e : new Entry(c, mark));
          }
        });
    for (Map.Entry<Key, Entry> e : entries.entrySet()) {
      if (e.getValue().seq() <= mark && !seen.contains(e.getKey())) {
        entries.remove(e.getKey(), e.getValue()); // only if no event rewrote it meanwhile
      }
    }
    // Namespaces gone or no longer watched go with their containers (by the same rule: not what an
    // event just wrote).
    entries
        .entrySet()
        .removeIf(e -> !namespaces.contains(e.getKey().namespace()) && e.getValue().seq() <= mark);
    identities.keySet().removeIf(key -> !entries.containsKey(key));
    changes.incrementAndGet();
  }

  /** A number that grows whenever the index is written: equal twice, nothing changed between. */
  public long changes() {
    return changes.get();
  }

  /** A container an event told us about (created, updated), as containerd has it now. */
  public void put(ContainerInfo c) {
    entries.put(new Key(c.namespace(), c.id()), new Entry(c, sequence.incrementAndGet()));
    changes.incrementAndGet();
  }

  /** A container an event says was deleted. */
  public void remove(String namespace, String id) {
    entries.put(new Key(namespace, id), new Entry(null, sequence.incrementAndGet()));
    changes.incrementAndGet();
  }

  /**
   * The task ends the event path saw, beside the containers it keeps current: the rounds read them
   * to tell a task containerd stopped listing from one that ended.
   */
  public TaskEnds taskEnds() {
    return taskEnds;
  }

  public Optional<ContainerInfo> get(String namespace, String id) {
    Entry e = entries.get(new Key(namespace, id));
    return e == null ? Optional.empty() : Optional.ofNullable(e.container());
  }

  /**
   * The container from the index, else asked of containerd ({@code lookUp}, e.g.
   * ContainerdClient::container, with its deadline) and remembered; empty if containerd does not
   * have it (deleted since it was listed) or did not answer in time: the next poll tries again.
   */
  public Optional<ContainerInfo> getOrLookUp(
      String namespace, String id, BiFunction<String, String, ContainerInfo> lookUp) {
    Optional<ContainerInfo> known = get(namespace, id);
    if (known.isPresent()) {
      return known;
    }
    try {
      ContainerInfo c = lookUp.apply(namespace, id);
      put(c);
      LOG.fine(() -> "looked up the labels of " + namespace + "/" + id + " (not in the index yet)");
      return Optional.of(c);
    } catch (RuntimeException gone) {
      LOG.fine(() -> "cannot look up the labels of " + namespace + "/" + id + ": " + gone);
      return Optional.empty();
    }
  }

  public boolean contains(String namespace, String id) {
    return get(namespace, id).isPresent();
  }

  /** A copy of the live containers, for reconciling. */
  public List<ContainerInfo> all() {
    return entries.values().stream()
        .map(Entry::container)
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  /** Entries held, tombstones included: what a churn test watches return to its baseline. */
  public int size() {
    return entries.size();
  }
}
