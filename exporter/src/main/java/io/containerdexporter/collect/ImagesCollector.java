package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.Descriptor;
import io.containerdexporter.model.ImageInfo;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Images per namespace (Images.List) and the bytes they reference for this host's platform, each
 * blob counted once even when images share it (see {@link ImageSizer}).
 */
public final class ImagesCollector implements Collector {

  static final FamilySpec IMAGES =
      FamilySpec.gauge(
          "containerd_images",
          "Image records (names) in the containerd namespace.",
          "containerd_namespace");
  static final FamilySpec SIZE =
      FamilySpec.gauge(
          "containerd_images_size_bytes",
          Unit.BYTES,
          "Bytes of the blobs (index, manifest, config, layers) the namespace's images reference for this host's "
              + "platform, each blob counted once even when several images share it.",
          "containerd_namespace");
  static final FamilySpec MALFORMED =
      FamilySpec.counter(
          "containerd_exporter_malformed_manifests_total",
          "Image indexes or manifests that could not be parsed (each counted once); such images are sized without them.");

  private final ContainerdClient client;
  private final ImageSizer sizer;

  ImagesCollector(ContainerdClient client, ImageSizer sizer) {
    this.client = client;
    this.sizer = sizer;
  }

  @Override
  public String name() {
    return "images";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(IMAGES, SIZE, MALFORMED);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder images = IMAGES.builder();
    FamilyBuilder size = SIZE.builder();
    for (String namespace : scope.namespaces()) {
      List<ImageInfo> list = client.images(namespace);
      Map<String, Descriptor> blobs = new HashMap<>();
      for (ImageInfo image : list) {
        blobs.putAll(sizer.blobs(namespace, image.target()));
      }
      images.add(list.size(), namespace);
      size.add(ImageSizer.totalBytes(blobs), namespace);
    }
    return List.of(
        images.build(), size.build(), MALFORMED.builder().add(sizer.malformedManifests()).build());
  }
}
