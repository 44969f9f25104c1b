package io.containerdexporter.model;

import java.util.OptionalLong;

/**
 * The resource limits in a container's OCI spec ({@code linux.resources}), as cAdvisor's
 * container_spec_* report them. Empty where the spec sets nothing.
 *
 * @param cpuQuota microseconds per period (cfs_quota_us); empty or -1 when unlimited
 * @param cpuPeriod microseconds (cfs_period_us)
 * @param cpuShares relative weight (cpu.shares)
 * @param memoryLimit bytes
 * @param memorySwapLimit bytes of memory + swap (memsw)
 */
public record SpecResources(
    OptionalLong cpuQuota,
    OptionalLong cpuPeriod,
    OptionalLong cpuShares,
    OptionalLong memoryLimit,
    OptionalLong memorySwapLimit) {

  public static final SpecResources NONE =
      new SpecResources(
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty(),
          OptionalLong.empty());
}
