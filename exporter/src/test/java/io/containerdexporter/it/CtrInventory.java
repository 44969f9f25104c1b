package io.containerdexporter.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.TaskInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the inventory families should say, worked out independently of the exporter: from {@code
 * ctr} and, where ctr only prints rounded sizes, from the daemon's own files (blob sizes, ingest
 * data files).
 */
final class CtrInventory {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> TASK_STATUSES =
      List.of("created", "running", "stopped", "paused", "pausing", "unknown");

  private final ContainerdSandbox containerd;

  CtrInventory(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  private List<String> lines(String... args) {
    return containerd.ctr(args).orThrow().stdout().lines().filter(l -> !l.isBlank()).toList();
  }

  private static List<String> skipHeader(List<String> lines) {
    return lines.isEmpty() ? lines : lines.subList(1, lines.size());
  }

  List<String> namespaces() {
    return lines("namespaces", "ls", "-q").stream().sorted().toList();
  }

  /**
   * Expected series, keyed like {@link #key}: the inventory families the ITs hold exactly equal.
   */
  Map<String, Double> expected(Duration stallAfter) {
    Map<String, Double> out = new TreeMap<>();
    for (String ns : namespaces()) {
      out.put(
          key("containerd_containers", "containerd_namespace", ns),
          (double) lines("-n", ns, "containers", "ls", "-q").size());

      Map<String, Integer> byStatus = new LinkedHashMap<>();
      TASK_STATUSES.forEach(s -> byStatus.put(s, 0));
      for (TaskInfo t : containerd.tasks(ns)) {
        byStatus.merge(t.status().toLowerCase(Locale.ROOT), 1, Integer::sum);
      }
      byStatus.forEach(
          (s, n) ->
              out.put(
                  key("containerd_tasks", "containerd_namespace", ns, "status", s), (double) n));

      List<String[]> images =
          skipHeader(lines("-n", ns, "images", "ls")).stream()
              .map(l -> l.trim().split("\\s+"))
              .toList();
      out.put(key("containerd_images", "containerd_namespace", ns), (double) images.size());
      Map<String, Long> referenced = new LinkedHashMap<>();
      for (String[] image : images) {
        Map<String, Long> blobs = imageBlobs(image[1], image[2]);
        referenced.putAll(blobs);
        out.put(
            key(
                "containerd_image_info",
                "containerd_namespace",
                ns,
                "image",
                image[0],
                "digest",
                image[2]),
            1.0);
        out.put(
            key("containerd_image_size_bytes", "containerd_namespace", ns, "image", image[0]),
            (double) blobs.values().stream().mapToLong(Long::longValue).sum());
      }
      out.put(
          key("containerd_images_size_bytes", "containerd_namespace", ns),
          (double) referenced.values().stream().mapToLong(Long::longValue).sum());

      List<String> digests = lines("-n", ns, "content", "ls", "-q");
      out.put(key("containerd_content_blobs", "containerd_namespace", ns), (double) digests.size());
      out.put(
          key("containerd_content_size_bytes", "containerd_namespace", ns),
          (double) digests.stream().mapToLong(this::blobSize).sum());

      List<Path> ingests = ingestDirs(ns);
      out.put(
          key("containerd_content_ingests", "containerd_namespace", ns), (double) ingests.size());
      out.put(
          key("containerd_content_ingest_bytes", "containerd_namespace", ns),
          (double) ingests.stream().mapToLong(d -> size(d.resolve("data"))).sum());
      out.put(
          key("containerd_content_ingests_stalled", "containerd_namespace", ns),
          (double) ingests.stream().filter(d -> isStalled(d, stallAfter)).count());
    }
    return out;
  }

  /** Snapshots per namespace, snapshotter and kind, from {@code ctr snapshots ls}. */
  Map<String, Double> expectedSnapshots(List<String> snapshotters) {
    Map<String, Double> out = new TreeMap<>();
    for (String ns : namespaces()) {
      for (String snapshotter : snapshotters) {
        Map<String, Integer> byKind =
            new LinkedHashMap<>(Map.of("active", 0, "committed", 0, "view", 0));
        for (String row :
            skipHeader(lines("-n", ns, "snapshots", "--snapshotter", snapshotter, "ls"))) {
          String[] cells = row.trim().split("\\s+");
          byKind.merge(cells[cells.length - 1].toLowerCase(Locale.ROOT), 1, Integer::sum);
        }
        byKind.forEach(
            (kind, n) ->
                out.put(
                    key(
                        "containerd_snapshots",
                        "kind",
                        kind,
                        "containerd_namespace",
                        ns,
                        "snapshotter",
                        snapshotter),
                    (double) n));
      }
    }
    return out;
  }

  /**
   * Snapshot disk usage as {@code ctr snapshots usage} prints it, rounded ("1.9 MiB"): the lowest
   * and highest byte counts that round to what it printed, summed over the snapshots.
   */
  double[] snapshotUsageBounds(String ns, String snapshotter) {
    double low = 0;
    double high = 0;
    for (String row :
        skipHeader(lines("-n", ns, "snapshots", "--snapshotter", snapshotter, "usage"))) {
      String[] cells = row.trim().split("\\s+");
      double value = Double.parseDouble(cells[1]);
      double unit =
          switch (cells[2]) {
            case "B" -> 1;
            case "KiB" -> 1024;
            case "MiB" -> 1024 * 1024;
            case "GiB" -> 1024.0 * 1024 * 1024;
            default -> throw new IllegalStateException("unknown unit in " + row);
          };
      double halfStep = cells[2].equals("B") ? 0 : 0.05;
      low += (value - halfStep) * unit;
      high += (value + halfStep) * unit;
    }
    return new double[] {low, high};
  }

  static String key(String name, String... labelPairs) {
    StringBuilder k = new StringBuilder(name).append('{');
    TreeMap<String, String> sorted = new TreeMap<>();
    for (int i = 0; i < labelPairs.length; i += 2) {
      sorted.put(labelPairs[i], labelPairs[i + 1]);
    }
    sorted.forEach((l, v) -> k.append(l).append("=\"").append(v).append("\","));
    return k.append('}').toString();
  }

  /** The same keys for what the exporter said, for the families in {@code expected}. */
  static Map<String, Double> actual(MetricsText scrape, Map<String, Double> expected) {
    List<String> families =
        expected.keySet().stream().map(k -> k.substring(0, k.indexOf('{'))).distinct().toList();
    Map<String, Double> out = new TreeMap<>();
    for (MetricsText.Sample s : scrape.samples()) {
      if (families.contains(s.name())) {
        String[] pairs =
            s.labels().entrySet().stream()
                .flatMap(e -> Stream.of(e.getKey(), e.getValue()))
                .toArray(String[]::new);
        out.put(key(s.name(), pairs), s.value());
      }
    }
    return out;
  }

  /**
   * The blobs an image references for this host, from the manifests in the content store (image is
   * amd64 here).
   */
  private Map<String, Long> imageBlobs(String mediaType, String digest) {
    Map<String, Long> blobs = new LinkedHashMap<>();
    blobs.put(digest, blobSize(digest));
    if (!mediaType.contains("manifest")) {
      throw new IllegalStateException("the ITs use single-manifest images; got " + mediaType);
    }
    try {
      JsonNode manifest = JSON.readTree(blobPath(digest).toFile());
      blobs.put(
          manifest.path("config").path("digest").asText(),
          manifest.path("config").path("size").asLong());
      for (JsonNode layer : manifest.path("layers")) {
        blobs.put(layer.path("digest").asText(), layer.path("size").asLong());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return blobs;
  }

  private Path blobPath(String digest) {
    String[] algoHex = digest.split(":");
    return containerd
        .root()
        .resolve("io.containerd.content.v1.content/blobs")
        .resolve(algoHex[0])
        .resolve(algoHex[1]);
  }

  private long blobSize(String digest) {
    return size(blobPath(digest));
  }

  /** Ingest dirs whose ref file says they belong to this namespace (refs are "NS/N/REF"). */
  private List<Path> ingestDirs(String ns) {
    Path ingest = containerd.root().resolve("io.containerd.content.v1.content/ingest");
    if (!Files.isDirectory(ingest)) {
      return List.of();
    }
    try (Stream<Path> dirs = Files.list(ingest)) {
      return dirs.filter(
              d -> {
                try {
                  return Arrays.asList(Files.readString(d.resolve("ref")).split("/"))
                      .get(0)
                      .equals(ns);
                } catch (IOException e) {
                  return false; // finished and removed while we looked
                }
              })
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** containerd's local store reports an ingest's updated_at as its data file's mtime. */
  private static boolean isStalled(Path ingestDir, Duration stallAfter) {
    try {
      Instant updated = Files.getLastModifiedTime(ingestDir.resolve("data")).toInstant();
      return Duration.between(updated, Instant.now()).compareTo(stallAfter) > 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static long size(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0; // an ingest that completed between listing and reading
    }
  }
}
