package io.containerdexporter.testkit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Knobs for {@link ContainerdSandbox#run}. Zero/empty means "leave it to ctr's default".
 *
 * @param memoryLimitBytes cgroup memory limit ({@code --memory-limit})
 * @param cpuQuotaMicros CFS quota ({@code --cpu-quota}); needs {@code cpuPeriodMicros}
 * @param cpuPeriodMicros CFS period ({@code --cpu-period})
 * @param ctrFlags further {@code ctr run} flags as they are, e.g. {@code --read-only} or a {@code
 *     --mount}
 */
public record RunOptions(
    long memoryLimitBytes,
    long cpuQuotaMicros,
    long cpuPeriodMicros,
    Map<String, String> labels,
    Map<String, String> env,
    List<String> ctrFlags) {

  public static final RunOptions DEFAULTS = builder().build();

  public RunOptions {
    // Insertion order kept so the ctr command line is predictable (and readable in failure
    // messages).
    labels = Collections.unmodifiableMap(new LinkedHashMap<>(labels));
    env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
    ctrFlags = List.copyOf(ctrFlags);
  }

  public static Builder builder() {
    return new Builder();
  }

  public static final class Builder {
    private long memoryLimitBytes;
    private long cpuQuotaMicros;
    private long cpuPeriodMicros;
    private final Map<String, String> labels = new LinkedHashMap<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> ctrFlags = new ArrayList<>();

    private Builder() {}

    public Builder memoryLimitBytes(long bytes) {
      this.memoryLimitBytes = bytes;
      return this;
    }

    public Builder cpuQuota(long quotaMicros, long periodMicros) {
      this.cpuQuotaMicros = quotaMicros;
      this.cpuPeriodMicros = periodMicros;
      return this;
    }

    public Builder label(String key, String value) {
      labels.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    public Builder env(String key, String value) {
      env.put(Objects.requireNonNull(key), Objects.requireNonNull(value));
      return this;
    }

    public Builder ctrFlags(String... flags) {
      ctrFlags.addAll(List.of(flags));
      return this;
    }

    public RunOptions build() {
      return new RunOptions(
          memoryLimitBytes, cpuQuotaMicros, cpuPeriodMicros, labels, env, ctrFlags);
    }
  }
}
