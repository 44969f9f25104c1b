package io.containerdexporter.collect;

import io.containerdexporter.model.Descriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Finds the blobs an image references for this host's platform, the way containerd's {@code
 * images.Image.Size} walks them (what {@code ctr images ls} sums): the target, for an index the one
 * best-fitting manifest, and that manifest's config and layers. Indexes and manifests are read from
 * the content store; they are immutable by digest, so what a digest lists is remembered and each is
 * read once.
 */
final class ImageSizer {

  /**
   * Reads a blob; throws StatusRuntimeException NOT_FOUND when the content store does not have it.
   */
  interface BlobReader {
    byte[] read(String namespace, String digest, long maxBytes);
  }

  /** Indexes and manifests are a few KiB; anything bigger is not one. */
  static final long MAX_MANIFEST_BYTES = 4 << 20;

  /** Enough for every image of a busy node; beyond it the cache starts over rather than grow. */
  static final int MAX_CACHED = 20_000;

  private static final Logger LOG = Logger.getLogger(ImageSizer.class.getName());

  private final BlobReader reader;
  private final HostPlatform host;
  private final Map<String, List<Descriptor>> children = new ConcurrentHashMap<>();
  private final Map<String, Boolean> malformed = new ConcurrentHashMap<>();
  private final LongAdder malformedCount = new LongAdder();

  ImageSizer(BlobReader reader, HostPlatform host) {
    this.reader = reader;
    this.host = host;
  }

  /**
   * Every blob the image references for this host, by digest (each counted once). A blob the store
   * does not have is still listed (its size comes from its referrer) but not descended into.
   */
  Map<String, Descriptor> blobs(String namespace, Descriptor target) {
    Map<String, Descriptor> out = new LinkedHashMap<>();
    walk(namespace, target, out);
    return out;
  }

  /** Distinct indexes and manifests found malformed since start. */
  long malformedManifests() {
    return malformedCount.sum();
  }

  static long totalBytes(Map<String, Descriptor> blobs) {
    return blobs.values().stream().mapToLong(Descriptor::size).sum();
  }

  private void walk(String namespace, Descriptor d, Map<String, Descriptor> out) {
    if (out.putIfAbsent(d.digest(), d) != null) {
      return;
    }
    if (!OciManifests.isIndex(d) && !OciManifests.isManifest(d)) {
      return;
    }
    Optional<List<Descriptor>> next = children(namespace, d);
    next.ifPresent(list -> list.forEach(child -> walk(namespace, child, out)));
  }

  private Optional<List<Descriptor>> children(String namespace, Descriptor d) {
    List<Descriptor> known = children.get(d.digest());
    if (known != null) {
      return Optional.of(known);
    }
    byte[] json;
    try {
      json = reader.read(namespace, d.digest(), MAX_MANIFEST_BYTES);
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
        return Optional.empty(); // not pulled (e.g. a platform this host never fetched)
      }
      throw e;
    }
    List<Descriptor> list;
    try {
      list =
          OciManifests.isIndex(d)
              ? bestManifest(OciManifests.parseIndex(json))
              : OciManifests.parseManifest(json);
    } catch (IllegalArgumentException e) {
      // Counted and logged once per blob, then sized as a leaf: one broken manifest must not hide
      // every image.
      if (malformed.putIfAbsent(d.digest(), Boolean.TRUE) == null) {
        malformedCount.increment();
        LOG.warning(
            "skipping malformed " + d.mediaType() + " " + d.digest() + ": " + e.getMessage());
      }
      return Optional.empty();
    }
    if (children.size() >= MAX_CACHED) {
      children.clear();
    }
    children.put(d.digest(), List.copyOf(list));
    return Optional.of(list);
  }

  /**
   * Like containerd's LimitManifests(FilterPlatforms(...), host, 1): the single best fit, first
   * wins ties.
   */
  private List<Descriptor> bestManifest(List<OciManifests.IndexEntry> entries) {
    List<OciManifests.IndexEntry> fitting =
        new ArrayList<>(entries.stream().filter(e -> host.fit(e.platform()) >= 0).toList());
    fitting.sort(
        Comparator.comparingInt((OciManifests.IndexEntry e) -> host.fit(e.platform())).reversed());
    return fitting.isEmpty() ? List.of() : List.of(fitting.get(0).descriptor());
  }
}
