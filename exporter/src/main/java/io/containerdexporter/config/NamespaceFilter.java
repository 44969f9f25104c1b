package io.containerdexporter.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which containerd namespaces to watch: those the include regex matches in full and the exclude
 * regex does not (anchored, like every regex in Prometheus).
 */
public record NamespaceFilter(Pattern include, Optional<Pattern> exclude) {

  public static final NamespaceFilter ALL =
      new NamespaceFilter(Pattern.compile(".*"), Optional.empty());

  public boolean accepts(String namespace) {
    return include.matcher(namespace).matches()
        && exclude.map(p -> !p.matcher(namespace).matches()).orElse(true);
  }

  public boolean acceptsAll() {
    return include.pattern().equals(".*") && exclude.isEmpty();
  }
}
