package io.containerdexporter.index;

import io.containerdexporter.model.ContainerInfo;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.stream.Collectors;

/**
 * Every container the exporter knows, by containerd namespace and id. The poller replaces a namespace's entries on
 * each poll; the event subscriber adds, refreshes (labels change on /containers/update) and removes entries between
 * polls. Readers never block.
 */
public final class ContainerIndex {

  private static final java.util.logging.Logger LOG =
      java.util.logging.Logger.getLogger(ContainerIndex.class.getName());

  public record Key(String namespace, String id) {}

  private final Map<Key, ContainerInfo> containers = new ConcurrentHashMap<>();
  private final ContainerLabelFilter labelFilter;

  public ContainerIndex() {
    this(ContainerLabelFilter.NONE);
  }

  /** @param labelFilter which container labels every per-container series carries ({@code --labels.container-labels}) */
  public ContainerIndex(ContainerLabelFilter labelFilter) {
    this.labelFilter = labelFilter;
  }

  /** The label set of a container's series: the one place where {@code --labels.container-labels} applies. */
  public ContainerIdentity identity(ContainerInfo c) {
    return ContainerIdentity.of(c, labelFilter);
  }

  /** What the poller saw in one namespace: it is the truth for that namespace as of now. */
  public void replaceNamespace(String namespace, List<ContainerInfo> seen) {
    Set<String> ids = seen.stream().map(ContainerInfo::id).collect(Collectors.toSet());
    containers.keySet().removeIf(k -> k.namespace().equals(namespace) && !ids.contains(k.id()));
    seen.forEach(this::put);
  }

  /** Forgets namespaces that are gone (or no longer watched). */
  public void retainNamespaces(Collection<String> namespaces) {
    Set<String> keep = Set.copyOf(namespaces);
    containers.keySet().removeIf(k -> !keep.contains(k.namespace()));
  }

  public void put(ContainerInfo c) {
    containers.put(new Key(c.namespace(), c.id()), c);
  }

  public void remove(String namespace, String id) {
    containers.remove(new Key(namespace, id));
  }

  public Optional<ContainerInfo> get(String namespace, String id) {
    return Optional.ofNullable(containers.get(new Key(namespace, id)));
  }

  /**
   * The container from the index, else asked of containerd ({@code lookUp}, e.g. ContainerdClient::container, with
   * its deadline) and remembered; empty if containerd does not have it (deleted since it was listed) or did not
   * answer in time: the next poll tries again.
   */
  public Optional<ContainerInfo> getOrLookUp(String namespace, String id,
      BiFunction<String, String, ContainerInfo> lookUp) {
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
    return containers.containsKey(new Key(namespace, id));
  }

  /** A copy, for reconciling. */
  public List<ContainerInfo> all() {
    return List.copyOf(containers.values());
  }
}
