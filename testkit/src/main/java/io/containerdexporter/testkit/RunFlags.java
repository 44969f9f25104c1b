package io.containerdexporter.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns {@link RunOptions} into {@code ctr run} flags (ctr 1.6 spelling). */
final class RunFlags {
  private RunFlags() {}

  static List<String> of(RunOptions options) {
    List<String> flags = new ArrayList<>();
    if (options.memoryLimitBytes() > 0) {
      flags.add("--memory-limit");
      flags.add(Long.toString(options.memoryLimitBytes()));
    }
    if (options.cpuQuotaMicros() > 0) {
      flags.add("--cpu-quota");
      flags.add(Long.toString(options.cpuQuotaMicros()));
      flags.add("--cpu-period");
      flags.add(Long.toString(options.cpuPeriodMicros()));
    }
    for (Map.Entry<String, String> label : options.labels().entrySet()) {
      flags.add("--label");
      flags.add(label.getKey() + "=" + label.getValue());
    }
    for (Map.Entry<String, String> variable : options.env().entrySet()) {
      flags.add("--env");
      flags.add(variable.getKey() + "=" + variable.getValue());
    }
    flags.addAll(options.ctrFlags());
    return flags;
  }
}
