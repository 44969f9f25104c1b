package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ContentBlob;
import io.containerdexporter.model.Ingest;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.util.List;

/**
 * The content store per namespace: committed blobs (Content.List) and in-flight writes
 * (Content.ListStatuses), which is where a pull in progress, or a stuck one, shows.
 */
public final class ContentCollector implements Collector {

  static final FamilySpec BLOBS =
      FamilySpec.gauge(
          "containerd_content_blobs",
          "Committed blobs (layers, configs, manifests) in the namespace's content store.",
          "containerd_namespace");
  static final FamilySpec SIZE =
      FamilySpec.gauge(
          "containerd_content_size_bytes",
          Unit.BYTES,
          "Sum of the sizes of the committed blobs in the namespace's content store.",
          "containerd_namespace");
  static final FamilySpec INGESTS =
      FamilySpec.gauge(
          "containerd_content_ingests",
          "In-flight writes to the content store (e.g. layers being pulled).",
          "containerd_namespace");
  static final FamilySpec INGEST_BYTES =
      FamilySpec.gauge(
          "containerd_content_ingest_bytes",
          Unit.BYTES,
          "Bytes written so far by the in-flight writes.",
          "containerd_namespace");
  static final FamilySpec INGESTS_STALLED =
      FamilySpec.gauge(
          "containerd_content_ingests_stalled",
          "In-flight writes without progress for longer than --content.stall-after.",
          "containerd_namespace");

  private final ContainerdClient client;
  private final Duration stallAfter;

  public ContentCollector(ContainerdClient client, Duration stallAfter) {
    this.client = client;
    this.stallAfter = stallAfter;
  }

  @Override
  public String name() {
    return "content";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(BLOBS, SIZE, INGESTS, INGEST_BYTES, INGESTS_STALLED);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder blobs = BLOBS.builder();
    FamilyBuilder size = SIZE.builder();
    FamilyBuilder ingests = INGESTS.builder();
    FamilyBuilder ingestBytes = INGEST_BYTES.builder();
    FamilyBuilder stalled = INGESTS_STALLED.builder();
    for (String namespace : scope.namespaces()) {
      List<ContentBlob> content = client.content(namespace);
      blobs.add(content.size(), namespace);
      size.add(content.stream().mapToLong(ContentBlob::size).sum(), namespace);

      List<Ingest> writes = client.ingests(namespace);
      ingests.add(writes.size(), namespace);
      ingestBytes.add(writes.stream().mapToLong(Ingest::offset).sum(), namespace);
      stalled.add(writes.stream().filter(w -> isStalled(w, scope)).count(), namespace);
    }
    return List.of(
        blobs.build(), size.build(), ingests.build(), ingestBytes.build(), stalled.build());
  }

  private boolean isStalled(Ingest ingest, PollScope scope) {
    return Duration.between(ingest.updatedAt(), scope.now()).compareTo(stallAfter) > 0;
  }
}
