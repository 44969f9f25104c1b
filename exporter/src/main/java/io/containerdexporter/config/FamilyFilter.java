package io.containerdexporter.config;

/**
 * Which metric families are served and computed ({@code --metrics.include} / {@code
 * --metrics.exclude}, like cAdvisor's {@code --disable_metrics} and kube-state-metrics' {@code
 * --metric-denylist}): those the include regex matches in full and the exclude regex does not, the
 * same anchored rule as the namespace filter's. Matched against the exposed family name ({@code
 * container_memory_failures_total}).
 */
public record FamilyFilter(NamespaceFilter rule) {

  public static final FamilyFilter ALL = new FamilyFilter(NamespaceFilter.ALL);

  public boolean includes(String familyName) {
    return rule.accepts(familyName);
  }
}
