package io.containerdexporter.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class NamespaceFilterTest {

  @Test
  void includeAndExcludeAreAnchored() {
    NamespaceFilter f =
        new NamespaceFilter(
            Pattern.compile("k8s.*|default"), Optional.of(Pattern.compile(".*-test")));
    assertTrue(f.accepts("k8s.io"));
    assertTrue(f.accepts("default"));
    assertFalse(f.accepts("xdefault"), "anchored: a substring match is not a match");
    assertFalse(f.accepts("k8s-test"));
    assertFalse(f.accepts("moby"));
    assertTrue(NamespaceFilter.ALL.accepts("anything"));
  }
}
