package io.containerdexporter.metrics;

import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.MetricFamilyDescriptor;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The one declaration of a metric family: name as it appears on /metrics, type, help, unit, label
 * names. Collectors keep these in a table; the registry, the renderers and docs/metrics.md all
 * derive from it, so a name is spelled exactly once.
 *
 * @param name the exposed name: counters end in {@code _total}, info families in {@code _info}
 * @param unit the base unit the name ends with, or null
 */
public record FamilySpec(
    String name, MetricType type, String help, Unit unit, List<String> labelNames) {

  private static final Pattern NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

  public FamilySpec {
    Objects.requireNonNull(type, "type");
    labelNames = List.copyOf(labelNames);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid metric name " + name);
    }
    if (help == null || help.isBlank()) {
      throw new IllegalArgumentException(name + ": every family needs a HELP text");
    }
    if ((type == MetricType.COUNTER) != name.endsWith("_total")) {
      throw new IllegalArgumentException(name + ": counters, and only counters, end in _total");
    }
    if ((type == MetricType.INFO) != name.endsWith("_info")) {
      throw new IllegalArgumentException(name + ": info families, and only those, end in _info");
    }
    if (unit != null && !baseName(name, type).endsWith("_" + unit)) {
      throw new IllegalArgumentException(name + ": name must end with its unit " + unit);
    }
    for (String label : labelNames) {
      if (!NAME.matcher(label).matches() || label.startsWith("__")) {
        throw new IllegalArgumentException(name + ": invalid label name " + label);
      }
    }
  }

  /**
   * The name's hash alone: families are looked up in maps keyed by spec tens of thousands of times
   * a round, and the record's own hash walks the help text's and every label name's hash each time.
   * Names are unique, so equal specs still hash alike.
   */
  @Override
  public int hashCode() {
    return name.hashCode();
  }

  public static FamilySpec gauge(String name, String help, String... labelNames) {
    return new FamilySpec(name, MetricType.GAUGE, help, null, List.of(labelNames));
  }

  public static FamilySpec gauge(String name, Unit unit, String help, String... labelNames) {
    return new FamilySpec(name, MetricType.GAUGE, help, unit, List.of(labelNames));
  }

  public static FamilySpec counter(String name, String help, String... labelNames) {
    return new FamilySpec(name, MetricType.COUNTER, help, null, List.of(labelNames));
  }

  public static FamilySpec counter(String name, Unit unit, String help, String... labelNames) {
    return new FamilySpec(name, MetricType.COUNTER, help, unit, List.of(labelNames));
  }

  public static FamilySpec info(String name, String help, String... labelNames) {
    return new FamilySpec(name, MetricType.INFO, help, null, List.of(labelNames));
  }

  /**
   * The name client_java's snapshots take: without {@code _total} or {@code _info}, which its
   * writers append.
   */
  public String snapshotName() {
    return baseName(name, type);
  }

  public MetricFamilyDescriptor descriptor() {
    MetricFamilyDescriptor.Builder<?> b =
        MetricFamilyDescriptor.of(type, snapshotName()).help(help);
    if (unit != null) {
      b.unit(unit);
    }
    return b.labelNames(labelNames).build();
  }

  /** Starts the snapshot of this family; see {@link FamilyBuilder}. */
  public FamilyBuilder builder() {
    return new FamilyBuilder(this);
  }

  private static String baseName(String name, MetricType type) {
    return switch (type) {
      case COUNTER -> name.substring(0, name.length() - "_total".length());
      case INFO -> name.substring(0, name.length() - "_info".length());
      default -> name;
    };
  }
}
