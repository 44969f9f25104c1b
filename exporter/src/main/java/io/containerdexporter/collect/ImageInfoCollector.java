package io.containerdexporter.collect;

import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.ImageInfo;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;

/**
 * One series per image (opt-in: a node can hold hundreds of images, and image names are unbounded
 * label values).
 */
public final class ImageInfoCollector implements Collector {

  static final FamilySpec INFO =
      FamilySpec.info(
          "containerd_image_info",
          "1 for every image record, labelled with its name and the digest it points at.",
          "containerd_namespace",
          "image",
          "digest");
  static final FamilySpec SIZE =
      FamilySpec.gauge(
          "containerd_image_size_bytes",
          Unit.BYTES,
          "Bytes of the blobs (index, manifest, config, layers) the image references for this host's platform; what "
              + "`ctr images ls` shows as SIZE.",
          "containerd_namespace",
          "image");

  private final ContainerdClient client;
  private final ImageSizer sizer;

  ImageInfoCollector(ContainerdClient client, ImageSizer sizer) {
    this.client = client;
    this.sizer = sizer;
  }

  @Override
  public String name() {
    return "image-info";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(INFO, SIZE);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder info = INFO.builder();
    FamilyBuilder size = SIZE.builder();
    for (String namespace : scope.namespaces()) {
      for (ImageInfo image : client.images(namespace)) {
        info.add(1, namespace, image.name(), image.target().digest());
        size.add(
            ImageSizer.totalBytes(sizer.blobs(namespace, image.target())), namespace, image.name());
      }
    }
    return List.of(info.build(), size.build());
  }
}
