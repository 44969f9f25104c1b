package io.containerdexporter.config;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A web config file that can't be used, with the file and the key at fault, so the one line a
 * person reads ({@code FILE: tls_server_config.cert_file: ...}) says where to look. An IOException
 * because it is what reading that file produced; callers tell it apart to exit 2, not 1.
 */
public final class WebConfigException extends IOException {

  private final Path file;
  private final String key;

  public WebConfigException(Path file, String key, String reason) {
    super(file + ": " + (key.isEmpty() ? "" : key + ": ") + reason);
    this.file = file;
    this.key = key;
  }

  public Path file() {
    return file;
  }

  /** The dotted key at fault ({@code tls_server_config.min_version}), empty for the whole file. */
  public String key() {
    return key;
  }
}
