package io.containerdexporter.config;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * containerd's address as operators write it: a bare socket path ({@code
 * /run/containerd/containerd.sock}, what containerd's own config and {@code ctr --address} take) or
 * a {@code unix://} URL ({@code unix:///run/containerd/containerd.sock}, what kubelet's {@code
 * --container-runtime-endpoint} and crictl take). Both name the same socket; anything else (tcp://,
 * npipe://) is refused, since containerd's API is a unix socket here.
 */
public final class ContainerdAddress {

  static final String UNIX_SCHEME = "unix://";
  static final String EXPECTED =
      "a socket path or unix:///path, e.g. /run/containerd/containerd.sock";
  private static final Pattern OTHER_SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:.*");

  private ContainerdAddress() {}

  /** The socket's path; the exception's message says what is wrong without repeating the value. */
  public static Path parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty; expected " + EXPECTED);
    }
    String path = text;
    if (text.startsWith(UNIX_SCHEME)) {
      path = text.substring(UNIX_SCHEME.length());
      if (!path.startsWith("/")) {
        // unix://run/x.sock would make "run" a host in a URL: the path must be absolute, hence the
        // third slash.
        throw new IllegalArgumentException(
            "a unix:// address needs an absolute path (unix:///path); expected " + EXPECTED);
      }
    } else if (text.startsWith("unix:/")) {
      path =
          text.substring("unix:".length()); // unix:/path, which Go's url.Parse also reads as a path
    } else if (OTHER_SCHEME.matcher(text).matches()) {
      throw new IllegalArgumentException(
          "containerd is reached over a unix socket only; expected " + EXPECTED);
    }
    return Path.of(path);
  }
}
