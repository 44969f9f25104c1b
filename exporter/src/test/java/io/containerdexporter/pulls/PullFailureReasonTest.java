package io.containerdexporter.pulls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Error texts as containerd's resolver and Go's net package word them. */
class PullFailureReasonTest {

  private static void assertReason(PullFailureReason expected, String error) {
    assertEquals(expected, PullFailureReason.classify(error), error);
  }

  @Test
  void eachReason() {
    assertReason(
        PullFailureReason.NOT_FOUND, "failed to resolve reference \"r/a:x\": r/a:x: not found");
    assertReason(
        PullFailureReason.UNAUTHORIZED,
        "failed to resolve reference \"r/a:1\": pulling from host r failed with status code [manifests 1]: 401 Unauthorized");
    assertReason(
        PullFailureReason.FORBIDDEN,
        "unexpected status from HEAD request to https://r/v2/a/manifests/1: 403 Forbidden");
    assertReason(
        PullFailureReason.CONNECTION_REFUSED,
        "failed to do request: Head \"http://127.0.0.1:1/v2/a/manifests/1\": dial tcp 127.0.0.1:1: connect: connection refused");
    assertReason(
        PullFailureReason.DNS,
        "failed to do request: Head \"https://x.invalid/v2/\": dial tcp: lookup x.invalid on 10.0.0.2:53: no such host");
    assertReason(
        PullFailureReason.TIMEOUT,
        "failed to do request: Head \"https://r/v2/\": dial tcp 10.1.1.1:443: i/o timeout");
    assertReason(
        PullFailureReason.TLS,
        "tls: failed to verify certificate: x509: certificate signed by unknown authority");
    assertReason(
        PullFailureReason.TOO_MANY_REQUESTS,
        "unexpected status code [manifests 1]: 429 Too Many Requests - toomanyrequests: You have reached your pull rate limit");
    assertReason(
        PullFailureReason.SERVER_ERROR,
        "unexpected status code [manifests 1]: 503 Service Unavailable");
    assertReason(PullFailureReason.CANCELED, "failed to pull and unpack image: context canceled");
    assertReason(PullFailureReason.OTHER, "something nobody foresaw");
    assertReason(PullFailureReason.OTHER, null);
  }

  @Test
  void labelsAreSnakeCase() {
    assertEquals("connection_refused", PullFailureReason.CONNECTION_REFUSED.label());
    assertEquals("too_many_requests", PullFailureReason.TOO_MANY_REQUESTS.label());
  }
}
