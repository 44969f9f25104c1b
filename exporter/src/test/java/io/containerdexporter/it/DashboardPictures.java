package io.containerdexporter.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.containerdexporter.dashboards.Dashboard;
import java.awt.Color;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.time.Second;
import org.jfree.data.time.TimeSeries;
import org.jfree.data.time.TimeSeriesCollection;

/**
 * PNG time series of each dashboard row's main panels, from the end-to-end test's Prometheus: what
 * Grafana would draw for the same queries (no Grafana runs here). Written to docs/dashboard/ for
 * docs/dashboard.md.
 */
final class DashboardPictures {

  /** The main panels of each row, by title, in the dashboard's order. */
  static final Map<String, List<String>> MAIN_PANELS =
      Map.of(
          "Node overview", List.of("Tasks by status", "Containers and images"),
          "Containers", List.of("CPU cores", "CPU throttling", "Working set", "Network per pod"),
          "Events", List.of("OOM kills", "Restarts"),
          "Pulls", List.of("Failed pulls", "Pulls in progress and stalled"),
          "Exporter", List.of("Collector duration", "Poll time"));

  /** How much history the pictures show: the run is held until Prometheus has this much. */
  private static final Duration HISTORY =
      Duration.ofSeconds(Long.getLong("dashboard.pictures.seconds", 120));

  private static final Map<String, String> UNIT_LABELS =
      Map.of(
          "short", "",
          "percentunit", "fraction (1 = 100%)",
          "bytes", "bytes",
          "Bps", "bytes/s",
          "bps", "bits/s",
          "s", "seconds",
          "ops", "per second");

  private static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*(\\w+)\\s*}}");

  private DashboardPictures() {}

  static void render(
      PrometheusServer prometheus,
      Dashboard dashboard,
      UnaryOperator<String> variables,
      Path dir,
      long startedMillis) {
    System.setProperty("java.awt.headless", "true");
    Await.until(
        HISTORY.plusMinutes(1),
        HISTORY.toSeconds() + " s of history",
        () -> System.currentTimeMillis() - startedMillis,
        elapsed -> elapsed >= HISTORY.toMillis());
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (JsonNode panel : dashboard.panels()) {
      String title = panel.path("title").asText();
      if (MAIN_PANELS.values().stream().noneMatch(l -> l.contains(title))) {
        continue;
      }
      TimeSeriesCollection data = new TimeSeriesCollection();
      for (JsonNode target : panel.path("targets")) {
        JsonNode result =
            prometheus.queryRange(
                variables.apply(target.path("expr").asText()), HISTORY, Duration.ofSeconds(1));
        for (JsonNode series : result) {
          data.addSeries(timeSeries(series, target.path("legendFormat").asText()));
        }
      }
      String unit = panel.path("fieldConfig").path("defaults").path("unit").asText();
      JFreeChart chart =
          ChartFactory.createTimeSeriesChart(
              title, null, axisLabel(unit), data, true, false, false);
      XYPlot plot = chart.getXYPlot();
      plot.setBackgroundPaint(Color.WHITE);
      plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
      plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
      try {
        ChartUtils.saveChartAsPNG(dir.resolve(fileName(title)).toFile(), chart, 720, 300);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** What Grafana's unit means, as an axis label. */
  private static String axisLabel(String grafanaUnit) {
    if (grafanaUnit.startsWith("suffix:")) {
      return grafanaUnit.substring("suffix:".length()).strip();
    }
    return UNIT_LABELS.getOrDefault(grafanaUnit, grafanaUnit);
  }

  /** The picture's file name for a panel title: lower case, dashes. */
  static String fileName(String title) {
    return title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("-$", "")
        + ".png";
  }

  private static TimeSeries timeSeries(JsonNode series, String legendFormat) {
    TimeSeries out = new TimeSeries(legend(series.path("metric"), legendFormat));
    for (JsonNode point : series.path("values")) {
      double v = Double.parseDouble(point.path(1).asText());
      if (Double.isFinite(v)) {
        out.addOrUpdate(new Second(new Date((long) (point.path(0).asDouble() * 1000))), v);
      }
    }
    return out;
  }

  private static String legend(JsonNode metric, String format) {
    if (format.isEmpty() || format.equals("__auto")) {
      StringBuilder all = new StringBuilder();
      for (Iterator<String> names = metric.fieldNames(); names.hasNext(); ) {
        String name = names.next();
        all.append(all.isEmpty() ? "" : ",")
            .append(name)
            .append('=')
            .append(metric.path(name).asText());
      }
      return all.toString();
    }
    Matcher m = LEGEND_LABEL.matcher(format);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(metric.path(m.group(1)).asText()));
    }
    m.appendTail(out);
    return out.toString();
  }
}
