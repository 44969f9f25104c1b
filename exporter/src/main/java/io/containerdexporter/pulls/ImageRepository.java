package io.containerdexporter.pulls;

import java.util.Locale;

/**
 * Where an image reference points, without its tag or digest: the registry host and the repository
 * path, normalised the way containerd and Docker resolve a short name ({@code busybox} is {@code
 * docker.io/library/busybox}), so one image pulled by two spellings counts under one series.
 */
public record ImageRepository(String registry, String repository) {

  static final String DOCKER_HUB = "docker.io";

  /** A reference that is not one (empty, or with a character no reference has). */
  public static final ImageRepository UNPARSABLE = new ImageRepository("", "other");

  /** Parses {@code [registry/]path[:tag][@digest]}; anything unusable is {@link #UNPARSABLE}. */
  public static ImageRepository parse(String reference) {
    if (reference == null) {
      return UNPARSABLE;
    }
    String ref = reference.strip();
    int at = ref.indexOf('@');
    if (at >= 0) {
      ref = ref.substring(0, at);
    }
    int slash = ref.lastIndexOf('/');
    int colon = ref.lastIndexOf(':');
    if (colon > slash) {
      ref = ref.substring(0, colon);
    }
    if (ref.isEmpty() || ref.startsWith("/") || ref.endsWith("/") || !wellFormed(ref)) {
      return UNPARSABLE;
    }
    int first = ref.indexOf('/');
    String head = first < 0 ? "" : ref.substring(0, first);
    String registry;
    String path;
    // Docker's rule: the first component is a registry only if it looks like a host.
    if (first >= 0 && (head.contains(".") || head.contains(":") || head.equals("localhost"))) {
      registry = head.toLowerCase(Locale.ROOT);
      path = ref.substring(first + 1);
    } else {
      registry = DOCKER_HUB;
      path = ref;
    }
    if (registry.equals("index.docker.io") || registry.equals("registry-1.docker.io")) {
      registry = DOCKER_HUB;
    }
    if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
      path = "library/" + path;
    }
    return new ImageRepository(registry, path);
  }

  private static boolean wellFormed(String ref) {
    for (int i = 0; i < ref.length(); i++) {
      char c = ref.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || c == '.'
              || c == '-'
              || c == '_'
              || c == '/'
              || c == ':';
      if (!ok) {
        return false;
      }
    }
    return ref.length() <= 512;
  }
}
