package io.containerdexporter.cgroup;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;

/**
 * A flat-keyed cgroup file ("key value" per line: memory.stat, cpu.stat, memory.events,
 * cpuacct.stat, …), parsed leniently: a bad line spoils only its own key, so one odd counter does
 * not hide the others.
 *
 * @param values the keys whose line was well formed and appeared once
 * @param badKeys keys whose line was malformed (not a number, negative, out of range, cut short) or
 *     repeated: their value is unknown
 * @param complete false when some line's key could not even be read (garbage, a cut-short last
 *     line): then a key that does not appear may have been there, and must not be treated as absent
 * @param malformed whether anything at all was wrong with the text (including an empty file): the
 *     reader counts one error for the file when this is set
 */
public record FlatKeyed(
    Map<String, Long> values, Set<String> badKeys, boolean complete, boolean malformed) {

  public FlatKeyed {
    values = Map.copyOf(values);
    badKeys = Set.copyOf(badKeys);
  }

  /** The value of a well-formed key; empty when the key is absent or bad. */
  public OptionalLong get(String key) {
    Long value = values.get(key);
    return value == null ? OptionalLong.empty() : OptionalLong.of(value);
  }

  /** Whether the kernel certainly did not write this key (as opposed to: we could not read it). */
  public boolean absent(String key) {
    return complete && !values.containsKey(key) && !badKeys.contains(key);
  }

  /**
   * {@code preferred}, or {@code fallback} when {@code preferred} is certainly {@linkplain #absent
   * absent}. A {@code preferred} that is there but unreadable stays empty: falling back would
   * silently change the meaning.
   */
  public OptionalLong getOr(String preferred, String fallback) {
    return absent(preferred) ? get(fallback) : get(preferred);
  }
}
