package io.containerdexporter.config;

import java.util.List;

/**
 * The paths the web server serves besides {@code --web.telemetry-path}: the node page, its JSON,
 * the sample scrape config and the health probes. Kept here, beside the flag's check, so the flag
 * cannot name one of them (the JDK server refuses a second context on a path, and a probe or the
 * page would silently answer with metrics).
 */
public final class ServedPaths {

  public static final String PAGE = "/";
  public static final String TOP = "/api/v1/top";
  public static final String SCRAPE_CONFIG = "/scrape-config";
  public static final String HEALTHY = "/-/healthy";
  public static final String READY = "/-/ready";

  public static final List<String> ALL = List.of(PAGE, TOP, SCRAPE_CONFIG, HEALTHY, READY);

  private ServedPaths() {}
}
