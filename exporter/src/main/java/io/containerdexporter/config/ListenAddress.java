package io.containerdexporter.config;

import java.net.InetSocketAddress;

/**
 * Where the HTTP server listens, in the Prometheus exporters' {@code [host]:port} syntax: {@code
 * :9338} (all interfaces), {@code 127.0.0.1:9338}, {@code [::1]:9338} or {@code localhost:9338}.
 */
public record ListenAddress(String host, int port) {

  public ListenAddress {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port " + port + " is out of range 0-65535");
    }
  }

  /**
   * Parses {@code [host]:port}; the exception's message says what is wrong, without repeating the
   * value.
   */
  public static ListenAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("not [host]:port; expected e.g. :9338 or 127.0.0.1:9338");
    }
    String host = text.substring(0, colon);
    String portText = text.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.contains(":")) {
      throw new IllegalArgumentException("write an IPv6 host in brackets, e.g. [::1]:9338");
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + portText + "' is not a port number");
    }
    return new ListenAddress(host, port);
  }

  /** An empty host means every interface, as in Go's net.Listen. */
  public InetSocketAddress toSocketAddress() {
    return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
  }

  @Override
  public String toString() {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }
}
