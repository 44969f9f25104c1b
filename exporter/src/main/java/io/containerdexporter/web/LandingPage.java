package io.containerdexporter.web;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.containerdexporter.config.BuildInfo;
import io.containerdexporter.config.ServedPaths;
import io.containerdexporter.model.RecentEvent;
import io.containerdexporter.model.RecentEvents;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code /}: the node page, what containerd is doing right now, rendered from the latest published
 * {@link TopData} (never a call to containerd, no I/O). Every value goes through {@link #escape}.
 * No external assets; a small script reloads it every poll interval.
 */
final class LandingPage implements HttpHandler {

  static final String DOCS = "https://github.com/containerd-exporter/containerd-exporter";

  private static final String COLLECTOR_FLAG = "collector.";

  private final BuildInfo build;
  private final String telemetryPath;
  private final long refreshMillis;
  private final Supplier<TopData> top;

  LandingPage(BuildInfo build, String telemetryPath, long refreshMillis, Supplier<TopData> top) {
    this.build = build;
    this.telemetryPath = telemetryPath;
    this.refreshMillis = refreshMillis;
    this.top = top;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    Responses.send(exchange, 200, "text/html; charset=utf-8", render(top.get()));
  }

  String render(TopData t) {
    StringBuilder h = new StringBuilder(8192);
    h.append(
        """
        <!DOCTYPE html>
        <html lang="en">
        <head><meta charset="utf-8"><title>containerd-exporter</title>
        <style>body{font-family:sans-serif;margin:1.5em;max-width:75em}code{background:#eee}\
        table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.2em .6em;\
        text-align:left}td.n{text-align:right;white-space:nowrap}.bad{color:#b00;font-weight:bold}.ok{color:#070}\
        h2{margin-top:1.2em;font-size:1.2em}small.id{color:#666;font-family:monospace}\
        td.name{overflow-wrap:anywhere}th code,tr.event td:first-child{white-space:nowrap}</style>
        </head>
        <body>
        <h1>containerd-exporter</h1>
        """);
    TopData.Containerd c = t.containerd();
    h.append("<section id=\"containerd\"><h2>containerd</h2><table>");
    row(h, "Socket", "<code>" + escape(c.address()) + "</code>");
    row(h, "Status", c.up() ? "<span class=\"ok\">up</span>" : "<span class=\"bad\">down</span>");
    row(
        h,
        "Version",
        escape(c.version() == null ? "unknown" : c.version() + " (revision " + c.revision() + ")"));
    row(h, "Uptime", escape(duration(c.uptimeSeconds())));
    if (Boolean.FALSE.equals(c.processVisible())) {
      // unknown, not zero: say why, and what fixes it
      row(
          h,
          "Process",
          "<span class=\"bad\" id=\"process-invisible\">not visible under --path.procfs</span>: "
              + "containerd's own CPU, memory and its shims cannot be read; --path.procfs must be "
              + "the host's /proc (the chart mounts it at /host/proc), or run with hostPID");
    }
    row(h, "CPU", escape(cores(c.cpuCores()) + " (" + number(c.cpuSecondsTotal()) + " s total)"));
    row(h, "Resident memory", escape(bytes(c.residentMemoryBytes())));
    row(h, "Open fds, threads", escape(number(c.openFds()) + ", " + number(c.threads())));
    row(h, "Shims' resident memory", escape(bytes(c.shimsResidentMemoryBytes())));
    h.append("</table></section>\n");

    h.append("<section id=\"namespaces\"><h2>containerd namespaces</h2><table>");
    h.append(
        "<tr><th>namespace</th><th>tasks by status</th><th>containers</th><th>images</th>"
            + "<th>image bytes</th><th>pulls in flight</th><th>pulls stalled</th>"
            + "<th>shims</th></tr>");
    for (TopData.Namespace n : t.namespaces()) {
      StringBuilder tasks = new StringBuilder();
      n.tasks()
          .forEach(
              (status, count) -> {
                if (count > 0) {
                  tasks
                      .append(tasks.isEmpty() ? "" : ", ")
                      .append(status)
                      .append(' ')
                      .append(count);
                }
              });
      h.append("<tr><td>")
          .append(escape(n.name()))
          .append("</td><td>")
          .append(escape(tasks.isEmpty() ? "none" : tasks.toString()))
          .append("</td>");
      cell(h, number(n.containers()));
      cell(h, number(n.images()));
      cell(h, bytes(n.imageBytes() == null ? null : n.imageBytes().doubleValue()));
      cell(h, number(n.pullsInFlight()));
      cell(h, number(n.pullsStalled()));
      shims(h, n);
      h.append("</tr>");
    }
    h.append("</table></section>\n");

    containers(
        h, "top-cpu", "Top containers by CPU (rate between the last two rounds)", t.topCpu());
    containers(h, "top-memory", "Top containers by working set", t.topMemory());

    recent(h, "recent-ooms", "Recent OOM kills", "container", t.recentOoms());
    recent(h, "recent-exits", "Recent non-zero exits", "container", t.recentExits());
    recent(h, "recent-failed-pulls", "Recent failed pulls", "image", t.recentFailedPulls());

    h.append("<section id=\"collectors\"><h2>Collectors</h2><table>");
    h.append(
        "<tr><th>collector</th><th>last run</th><th>duration</th><th>age</th><th>failures</th></tr>");
    for (TopData.CollectorHealth ch : t.collectors()) {
      h.append("<tr><td>")
          .append(escape(ch.name()))
          .append("</td><td>")
          .append(
              ch.success() ? "<span class=\"ok\">ok</span>" : "<span class=\"bad\">failed</span>")
          .append("</td>");
      cell(h, String.format(Locale.ROOT, "%.3f s", ch.durationSeconds()));
      cell(h, duration(ch.ageSeconds()));
      cell(h, Long.toString(ch.failures()));
      h.append("</tr>");
    }
    h.append("</table>");
    h.append("<p id=\"event-stream\">Event stream: ")
        .append(
            t.eventStream().up()
                ? "<span class=\"ok\">subscribed</span>"
                : "<span class=\"bad\">reconnecting</span>")
        .append("</p></section>\n");

    h.append("<section id=\"flags\"><h2>Flags in effect</h2><table>");
    // the enabled collectors in one row: fifteen rows of "on" would push the rest off the screen
    List<String> collectors = new ArrayList<>();
    t.flags()
        .forEach(
            (k, v) -> {
              if (k.startsWith(COLLECTOR_FLAG) && v.equals("on")) {
                collectors.add(k.substring(COLLECTOR_FLAG.length()));
              } else {
                row(h, "<code>--" + escape(k) + "</code>", "<code>" + escape(v) + "</code>");
              }
            });
    if (!collectors.isEmpty()) {
      row(
          h,
          "<code>--" + COLLECTOR_FLAG + "NAME</code> on",
          "<code>" + escape(String.join(" ", collectors)) + "</code>");
    }
    h.append("</table></section>\n");

    h.append("<section id=\"links\"><h2>Links</h2><ul>");
    link(h, telemetryPath, "Metrics");
    link(h, ServedPaths.TOP, "This page as JSON");
    link(h, ServedPaths.HEALTHY, "Health");
    link(h, ServedPaths.READY, "Readiness");
    link(h, DOCS + "/blob/main/docs/metrics.md", "Every metric (docs/metrics.md)");
    link(h, ServedPaths.SCRAPE_CONFIG, "A Prometheus scrape config for this exporter");
    link(h, DOCS + "#in-kubernetes-the-helm-chart-or-one-manifest", "The Helm chart");
    h.append("</ul></section>\n");
    h.append("<footer><p>containerd-exporter ")
        .append(escape(build.version()))
        .append(" (revision ")
        .append(escape(build.revision()))
        .append(", Java ")
        .append(escape(build.javaVersion()))
        .append("), data of ")
        .append(escape(t.generatedAt()))
        .append("</p></footer>\n");
    h.append("<script>setTimeout(function(){location.reload()},")
        .append(Math.max(1000, refreshMillis))
        .append(");</script>\n</body>\n</html>\n");
    return h.toString();
  }

  private static void containers(
      StringBuilder h, String id, String title, List<TopData.ContainerRow> rows) {
    h.append("<section id=\"")
        .append(id)
        .append("\"><h2>")
        .append(escape(title))
        .append("</h2><table><tr><th>container</th><th>pod</th><th>namespace</th>")
        .append("<th>containerd namespace</th><th>CPU</th><th>working set</th></tr>");
    if (rows.isEmpty()) {
      h.append("<tr><td colspan=\"6\">none yet</td></tr>");
    }
    for (TopData.ContainerRow r : rows) {
      h.append("<tr class=\"container\" data-name=\"")
          .append(escape(r.name()))
          .append("\" data-kind=\"")
          .append(escape(r.kind().name().toLowerCase(Locale.ROOT)))
          .append("\"><td class=\"name\" title=\"")
          .append(escape(r.name() + " " + r.image()))
          .append("\">")
          .append(escape(r.displayName()));
      if (r.kind() != TopData.ContainerRow.Kind.PLAIN) {
        // the id second: it tells two restarts of one container apart, and finds it in ctr/crictl
        h.append(" <small class=\"id\">").append(escape(r.shortId())).append("</small>");
      }
      h.append("</td><td>")
          .append(escape(r.pod()))
          .append("</td><td>")
          .append(escape(r.namespace()))
          .append("</td><td>")
          .append(escape(r.containerdNamespace()))
          .append("</td>");
      cell(h, cores(r.cpuCores()));
      cell(h, bytes(r.workingSetBytes()));
      h.append("</tr>");
    }
    h.append("</table></section>\n");
  }

  /** The namespace's shims, and those serving no task (leaked: they hold memory until killed). */
  private static void shims(StringBuilder h, TopData.Namespace n) {
    if (n.shimsLeaked() == null || n.shimsLeaked() == 0) {
      cell(h, number(n.shims()));
      return;
    }
    h.append("<td class=\"n\">")
        .append(escape(number(n.shims())))
        .append(" <span class=\"bad\">(")
        .append(n.shimsLeaked())
        .append(" leaked)</span></td>");
  }

  private static void recent(
      StringBuilder h, String id, String title, String subject, List<RecentEvent> events) {
    h.append("<section id=\"")
        .append(id)
        .append("\"><h2>")
        .append(escape(title))
        .append(" (last ")
        .append(RecentEvents.SIZE)
        .append(")</h2><table><tr><th>time</th><th>")
        .append(escape(subject))
        .append(
            "</th><th>pod</th><th>namespace</th><th>containerd namespace</th><th>reason</th></tr>");
    if (events.isEmpty()) {
      h.append("<tr><td colspan=\"6\">none</td></tr>");
    }
    for (RecentEvent e : events) {
      h.append("<tr class=\"event\" data-id=\"").append(escape(e.id())).append("\"");
      if (e.recovered()) {
        // no event told of it: the time is when the exporter found it, the reason says so
        h.append(" data-recovered=\"true\"><td title=\"found then; it happened before\">");
      } else {
        h.append("><td>");
      }
      h.append(escape(millis(e.at()))).append("</td>");
      for (String v :
          List.of(e.subject(), e.pod(), e.namespace(), e.containerdNamespace(), e.reason())) {
        h.append("<td>").append(escape(v)).append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table></section>\n");
  }

  private static void row(StringBuilder h, String headHtml, String valueHtml) {
    h.append("<tr><th>")
        .append(headHtml)
        .append("</th><td>")
        .append(valueHtml)
        .append("</td></tr>");
  }

  private static void cell(StringBuilder h, String text) {
    h.append("<td class=\"n\">").append(escape(text)).append("</td>");
  }

  private static void link(StringBuilder h, String href, String text) {
    h.append("<li><a href=\"")
        .append(escape(href))
        .append("\">")
        .append(escape(text))
        .append("</a></li>");
  }

  /** An ISO-8601 instant to the millisecond (nanoseconds only widen the column); else as is. */
  static String millis(String isoInstant) {
    try {
      return Instant.parse(isoInstant).truncatedTo(ChronoUnit.MILLIS).toString();
    } catch (DateTimeParseException notAnInstant) {
      return isoInstant;
    }
  }

  static String cores(Double v) {
    return v == null ? "–" : String.format(Locale.ROOT, "%.3f cores", v);
  }

  static String number(Number v) {
    if (v == null) {
      return "–";
    }
    double d = v.doubleValue();
    return d == Math.rint(d) ? Long.toString((long) d) : String.format(Locale.ROOT, "%.2f", d);
  }

  static String bytes(Double v) {
    if (v == null) {
      return "–";
    }
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    double d = v;
    int u = 0;
    while (d >= 1024 && u < units.length - 1) {
      d /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%.0f B", d)
        : String.format(Locale.ROOT, "%.1f %s", d, units[u]);
  }

  static String duration(Double seconds) {
    if (seconds == null) {
      return "–";
    }
    long s = (long) Math.floor(seconds);
    if (s < 60) {
      return String.format(Locale.ROOT, "%.1f s", seconds);
    }
    long d = s / 86400;
    long hh = s % 86400 / 3600;
    long m = s % 3600 / 60;
    return (d > 0 ? d + "d " : "") + (d > 0 || hh > 0 ? hh + "h " : "") + m + "m " + s % 60 + "s";
  }

  /** The one HTML escaping of this package: text and attribute values alike. */
  static String escape(String s) {
    if (s == null) {
      return "";
    }
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&#39;");
  }
}
