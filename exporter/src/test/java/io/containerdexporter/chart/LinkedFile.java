package io.containerdexporter.chart;

import java.nio.file.Path;
import java.util.List;

/**
 * A repository file the chart carries under {@code files/} as a symbolic link (helm packages the
 * content), so the PrometheusRule and the dashboard ConfigMap can never drift from the files
 * promtool and the dashboard tests hold.
 *
 * @param inChart the link, relative to the chart
 * @param source the file it points to, relative to the repository's root
 * @param placeholder what a test renders while the source does not exist yet (issue 12 writes
 *     them); never shipped
 */
record LinkedFile(String inChart, String source, String placeholder) {

  static final List<LinkedFile> ALL =
      List.of(
          new LinkedFile(
              "files/containerd-exporter.rules.yml",
              "alerts/containerd-exporter.rules.yml",
              """
              groups:
                - name: placeholder-alerts
                  rules:
                    - alert: ContainerdDown
                      expr: containerd_up == 0
                      for: 1m
              """),
          new LinkedFile(
              "files/recording.rules.yml",
              "alerts/recording.rules.yml",
              """
              groups:
                - name: placeholder-recording
                  rules:
                    - record: node:containerd_tasks:sum
                      expr: sum by (node) (containerd_tasks)
              """),
          new LinkedFile(
              "files/containerd-exporter.json",
              "dashboards/containerd-exporter.json",
              "{\"title\": \"placeholder\", \"panels\": []}\n"));

  Path sourceIn(Path root) {
    return root.resolve(source);
  }
}
