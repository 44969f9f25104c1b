package io.containerdexporter.collect;

import io.containerdexporter.config.NamespaceFilter;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.index.ContainerIndex;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A round's scope listed from a (fake) containerd the way the poller lists it, for collector tests.
 */
final class Rounds {

  private Rounds() {}

  /** The round of {@code namespaces} only (none: a round that watches nothing). */
  static PollScope scope(
      ContainerdClient client, ContainerIndex index, Instant now, String... namespaces) {
    String only =
        namespaces.length == 0
            ? "(?!)"
            : Arrays.stream(namespaces).map(Pattern::quote).collect(Collectors.joining("|"));
    return new PollScope(
        new RoundLister(client, new NamespaceFilter(Pattern.compile(only), Optional.empty()), index)
            .list(now));
  }
}
