package io.containerdexporter.pulls;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.pulls.ContainerdLogLine.Result;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** containerd's CRI pull lines, as 1.6–2.x write them in both log formats, and what is not one. */
class ContainerdLogLineTest {

  private static final Instant NOW = Instant.parse("2026-12-02T04:00:00Z");

  private static PullRecord record(String line) {
    ContainerdLogLine.Outcome o = ContainerdLogLine.parse(line, NOW);
    assertEquals(Result.PARSED, o.result(), line);
    return o.record().orElseThrow();
  }

  @Test
  void logfmtFailureCarriesTheReferenceTheErrorAndTheLinesOwnTime() {
    PullRecord r =
        record(
            "time=\"2026-12-02T03:59:58.123456789Z\" level=error msg=\"PullImage \\\"127.0.0.1:5000/pulls/app:missing\\\" "
                + "failed\" error=\"rpc error: code = NotFound desc = failed to pull and unpack image "
                + "\\\"127.0.0.1:5000/pulls/app:missing\\\": failed to resolve reference \\\"127.0.0.1:5000/pulls/app:missing\\\": "
                + "127.0.0.1:5000/pulls/app:missing: not found\"");
    PullRecord.Failed f = (PullRecord.Failed) r;
    assertEquals("127.0.0.1:5000/pulls/app:missing", f.reference());
    assertEquals(Instant.parse("2026-12-02T03:59:58.123456789Z"), f.at());
    assertEquals(PullFailureReason.NOT_FOUND, PullFailureReason.classify(f.error()));
  }

  @Test
  void logfmtStartAndSuccess() {
    assertEquals(
        new PullRecord.Started(
            "docker.io/library/busybox:1.36", Instant.parse("2026-12-02T03:59:00+00:00")),
        record(
            "time=\"2026-12-02T03:59:00+00:00\" level=info msg=\"PullImage \\\"docker.io/library/busybox:1.36\\\"\""));
    assertEquals(
        new PullRecord.Succeeded("busybox:1.36", NOW),
        record(
            "level=info msg=\"PullImage \\\"busybox:1.36\\\" returns image reference \\\"sha256:abc\\\"\""));
  }

  @Test
  void jsonFormat() {
    PullRecord.Failed f =
        (PullRecord.Failed)
            record(
                "{\"error\":\"failed to pull and unpack image \\\"x.invalid/a:1\\\": dial tcp: lookup x.invalid: no such host\","
                    + "\"level\":\"error\",\"msg\":\"PullImage \\\"x.invalid/a:1\\\" failed\",\"time\":\"2026-12-02T03:59:58Z\"}");
    assertEquals("x.invalid/a:1", f.reference());
    assertEquals(PullFailureReason.DNS, PullFailureReason.classify(f.error()));
  }

  @Test
  void otherWellFormedLinesAreIgnored() {
    for (String line :
        new String[] {
          "time=\"2026-12-02T03:59:58Z\" level=info msg=\"starting containerd\" revision=1 version=1.6.20",
          "{\"level\":\"info\",\"msg\":\"loading plugin\"}",
          "level=info msg=\"PullImage \\\"x:1\\\" with an unknown tail\"",
          "",
        }) {
      assertEquals(Result.IGNORED, ContainerdLogLine.parse(line, NOW).result(), line);
    }
  }

  @Test
  void hostileLinesAreMalformed() {
    for (String line :
        new String[] {
          "level=error msg=\"PullImage \\\"x:1\\\" failed error=\"unterminated",
          "level=error msg=\"bad escape \\q\"",
          "no pairs at all here",
          "{\"msg\": broken json",
          "level=info msg=\"nul\u0000byte\"",
          "level=info msg=\"not utf-8 \uFFFD\"",
          "a".repeat(ContainerdLogLine.MAX_LINE_CHARS + 1),
          "=novalue",
          "key=\"quote\"glued",
        }) {
      assertEquals(
          Result.MALFORMED,
          ContainerdLogLine.parse(line, NOW).result(),
          line.substring(0, Math.min(60, line.length())));
    }
  }
}
