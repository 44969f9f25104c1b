package io.containerdexporter.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** Version and revision of this build, filtered into build-info.properties by Maven. */
public record BuildInfo(String version, String revision, String javaVersion) {

  public static BuildInfo load() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/build-info.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new BuildInfo(
        p.getProperty("version", "unknown"),
        p.getProperty("revision", "unknown"),
        System.getProperty("java.version", "unknown"));
  }

  /** The one line {@code --version} prints, like Prometheus' own {@code version.Print}. */
  public String versionLine() {
    return "containerd-exporter, version "
        + version
        + " (revision: "
        + revision
        + ", java: "
        + javaVersion
        + ")";
  }

  /** Lets picocli print {@link #versionLine()} for {@code --version}. */
  public static final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {load().versionLine()};
    }
  }
}
