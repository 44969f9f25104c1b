package io.containerdexporter.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * docs/performance.png: CPU per poll round and the Prometheus scrape's p99 against tasks, both axes
 * logarithmic, so linear growth is a line of slope 1.
 */
final class PerformancePlot {

  private PerformancePlot() {}

  /**
   * A label at each power of ten, as a plain number (100, 1,000), and a grid line at each multiple
   * between them: left to itself the axis picks steps of 10^0.2 and labels 2,511.9.
   */
  private static LogAxis logAxis(String label) {
    LogAxis axis = new LogAxis(label);
    DecimalFormat plain = new DecimalFormat("#,##0.#");
    axis.setNumberFormatOverride(plain);
    // The unit is in powers of ten; its own minor count (not the axis's) places the grid lines.
    axis.setTickUnit(new NumberTickUnit(1, plain, 9));
    return axis;
  }

  static void write(List<SyntheticBench.Run> runs, Path png) {
    System.setProperty("java.awt.headless", "true");
    XYSeriesCollection data = new XYSeriesCollection();
    for (SyntheticNode.Layout layout : SyntheticNode.Layout.values()) {
      XYSeries cpu = new XYSeries("CPU per poll round, " + layout.name().toLowerCase());
      XYSeries p99 = new XYSeries("scrape p99 (Prometheus 3), " + layout.name().toLowerCase());
      XYSeries curl =
          new XYSeries("scrape p99 (Prometheus 3 by curl), " + layout.name().toLowerCase());
      for (SyntheticBench.Run r : runs) {
        if (r.layout() == layout) {
          cpu.add(r.tasks(), Math.max(0.1, r.cpuPerRound().median()));
          p99.add(r.tasks(), Math.max(0.1, SyntheticReport.p99(r.prometheus())));
          curl.add(r.tasks(), Math.max(0.1, SyntheticReport.p99(r.curl())));
        }
      }
      if (!cpu.isEmpty()) {
        data.addSeries(cpu);
        data.addSeries(p99);
        data.addSeries(curl);
      }
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            "containerd-exporter on a synthetic node",
            "tasks",
            "milliseconds",
            data,
            PlotOrientation.VERTICAL,
            true,
            false,
            false);
    XYPlot plot = chart.getXYPlot();
    plot.setDomainAxis(logAxis("tasks"));
    plot.setRangeAxis(logAxis("milliseconds (CPU per round; wall per scrape)"));
    plot.setDomainMinorGridlinesVisible(true);
    plot.setRangeMinorGridlinesVisible(true);
    plot.setRenderer(new XYLineAndShapeRenderer(true, true));
    try {
      ChartUtils.saveChartAsPNG(png.toFile(), chart, 900, 540);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + png, e);
    }
  }
}
