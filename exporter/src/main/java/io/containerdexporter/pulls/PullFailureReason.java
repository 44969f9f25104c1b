package io.containerdexporter.pulls;

import java.util.List;
import java.util.Locale;

/**
 * Why a pull failed, as a small fixed set read from the error text containerd logs (its resolver's
 * and Go's net errors). The order of the checks matters: "dial tcp: lookup x: no such host" is a
 * DNS failure, not a refused connection, and a 401 on a manifest is unauthorized, not "not found".
 */
public enum PullFailureReason {
  CANCELED("context canceled"),
  TIMEOUT(
      "deadline exceeded",
      "i/o timeout",
      "timeout awaiting",
      "client.timeout",
      "tls handshake timeout",
      "no progress"),
  DNS("no such host", "server misbehaving", "temporary failure in name resolution"),
  CONNECTION_REFUSED("connection refused", "connection reset", "no route to host"),
  TLS("x509:", "tls:", "certificate", "http: server gave http response to https client"),
  TOO_MANY_REQUESTS("429 too many requests", "toomanyrequests"),
  FORBIDDEN("403 forbidden", "denied:"),
  UNAUTHORIZED(
      "401 unauthorized", "unauthorized", "failed to authorize", "no basic auth credentials"),
  NOT_FOUND("not found", "404"),
  SERVER_ERROR(
      "500 internal server error", "502 bad gateway", "503 service unavailable", "504 gateway"),
  OTHER();

  private final List<String> markers;

  PullFailureReason(String... markers) {
    this.markers = List.of(markers);
  }

  /** The label value: {@code not_found}, {@code connection_refused}, … */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static PullFailureReason classify(String error) {
    if (error == null) {
      return OTHER;
    }
    String text = error.toLowerCase(Locale.ROOT);
    for (PullFailureReason reason : values()) {
      for (String marker : reason.markers) {
        if (text.contains(marker)) {
          return reason;
        }
      }
    }
    return OTHER;
  }
}
