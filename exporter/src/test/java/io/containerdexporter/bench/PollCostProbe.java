package io.containerdexporter.bench;

import io.containerdexporter.it.ExporterProcess;
import io.containerdexporter.it.MetricsText;
import io.containerdexporter.testkit.ContainerdSandbox;
import io.containerdexporter.testkit.RunOptions;
import java.util.Map;
import java.util.TreeMap;

/**
 * How long each collector takes per poll round against a real containerd with N sleeping busybox
 * tasks: the figure issue 8 asks for before and after the one-view-per-round change. Run by hand
 * (root; it starts a private containerd): {@code java -cp ...
 * -Dexporter.jar=exporter/target/containerd-exporter.jar io.containerdexporter.bench.PollCostProbe
 * 200}. Prints the median of the collectors' durations over several rounds; nothing is asserted.
 */
public final class PollCostProbe {

  private static final String NAMESPACE = "bench";

  public static void main(String[] args) throws Exception {
    int tasks = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 6;
    try (ContainerdSandbox sandbox = ContainerdSandbox.start()) {
      sandbox.importBusybox(NAMESPACE, ContainerdSandbox.BUSYBOX_IMAGE);
      for (int i = 0; i < tasks; i++) {
        sandbox.run(
            NAMESPACE,
            "t" + i,
            ContainerdSandbox.BUSYBOX_IMAGE,
            RunOptions.DEFAULTS,
            "sleep",
            "2147483647");
      }
      System.err.println("started " + tasks + " tasks");
      try (ExporterProcess exporter =
          ExporterProcess.start(sandbox.socket(), "--poll.interval=3s", "--poll.timeout=3s")) {
        Map<String, double[]> samples = new TreeMap<>();
        double lastPoll = -1;
        int seen = 0;
        while (seen < rounds + 2) { // the first two rounds warm the JIT and the caches
          Thread.sleep(500);
          MetricsText m = exporter.scrape();
          double poll = m.value("containerd_exporter_poll_duration_seconds").orElse(-1.0);
          double stamp =
              m.samples("containerd_exporter_collector_last_success_timestamp_seconds").stream()
                  .mapToDouble(MetricsText.Sample::value)
                  .max()
                  .orElse(-1);
          if (stamp == lastPoll || stamp < 0) {
            continue;
          }
          lastPoll = stamp;
          seen++;
          if (seen <= 2) {
            continue;
          }
          for (MetricsText.Sample s : m.samples("containerd_exporter_collector_duration_seconds")) {
            samples
                    .computeIfAbsent(s.labels().get("collector"), k -> new double[rounds])[
                    seen - 3] =
                s.value();
          }
          samples.computeIfAbsent("(whole round)", k -> new double[rounds])[seen - 3] = poll;
        }
        System.out.printf(
            "collector durations at %d tasks (median of %d rounds, ms)%n", tasks, rounds);
        samples.forEach(
            (name, v) -> {
              double[] sorted = v.clone();
              java.util.Arrays.sort(sorted);
              System.out.printf("| %s | %.0f |%n", name, sorted[sorted.length / 2] * 1000);
            });
      }
    }
  }

  private PollCostProbe() {}
}
