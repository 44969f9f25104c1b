package io.containerdexporter.index;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * {@code --labels.container-labels}: which container labels become {@code container_label_<name>}
 * labels on every per-container series, as cAdvisor's label allow-list does. Off by default: label
 * values are unbounded, and every label turned on multiplies nothing but can change a series'
 * identity when its value changes.
 */
public record ContainerLabelFilter(Optional<Pattern> allow) {

  public static final ContainerLabelFilter NONE = new ContainerLabelFilter(Optional.empty());

  static final String PREFIX = "container_label_";

  /**
   * The allowed labels as {@code container_label_<sanitized key>} → value, sorted by key. Two keys
   * that sanitize to the same name keep the first (in key order), so a series never carries a label
   * twice.
   */
  public Map<String, String> select(Map<String, String> labels) {
    if (allow.isEmpty() || labels.isEmpty()) {
      return Map.of();
    }
    Map<String, String> out = new LinkedHashMap<>();
    new TreeMap<>(labels)
        .forEach(
            (key, value) -> {
              if (allow.get().matcher(key).matches()) {
                out.putIfAbsent(PREFIX + sanitize(key), value);
              }
            });
    return out;
  }

  /**
   * Prometheus label names are [a-zA-Z_][a-zA-Z0-9_]*; cAdvisor replaces every other character with
   * '_'.
   */
  static String sanitize(String key) {
    StringBuilder out = new StringBuilder(key.length());
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9');
      out.append(ok ? c : '_');
    }
    return out.toString();
  }
}
