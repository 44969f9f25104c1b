package io.containerdexporter.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A copy of helm/containerd-exporter that real helm (helm-java, helm 3.16 in-process) lints and
 * renders: its links to the repository's alert and dashboard files resolved, and, only while a
 * source does not exist yet, that file's placeholder.
 */
public final class ChartUnderTest {
  public static final String RELEASE = "containerd-exporter";
  public static final String NAMESPACE = "monitoring";

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Path dir;

  private ChartUnderTest(Path dir) {
    this.dir = dir;
  }

  /** A fresh copy under {@code parent}. */
  public static ChartUnderTest copyInto(Path parent) {
    Path root = RepositoryFiles.root();
    Path dir = parent.resolve("containerd-exporter");
    copyTree(RepositoryFiles.chart(), dir);
    for (LinkedFile linked : LinkedFile.ALL) {
      Path target = dir.resolve(linked.inChart());
      try {
        Files.deleteIfExists(target);
        Files.createDirectories(target.getParent());
        if (Files.exists(linked.sourceIn(root))) {
          Files.copy(linked.sourceIn(root), target);
        } else {
          Files.writeString(target, linked.placeholder());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return new ChartUnderTest(dir);
  }

  public Path dir() {
    return dir;
  }

  /** The chart's own values.yaml with {@code overlay} merged over it (helm's deep merge). */
  public ChartUnderTest withDefaultValues(Path overlay) {
    try {
      JsonNode merged = YAML.readTree(dir.resolve("values.yaml").toFile());
      deepMerge((ObjectNode) merged, YAML.readTree(overlay.toFile()));
      YAML.writeValue(dir.resolve("values.yaml").toFile(), merged);
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code helm lint --strict} of the chart with its values.yaml. */
  public LintResult lintStrict() {
    return new Helm(dir).lint().strict().call();
  }

  /** {@code helm template containerd-exporter CHART -n monitoring [-f values]...}. */
  public String template(Path... valuesFiles) {
    TemplateCommand template = new Helm(dir).template().withName(RELEASE).withNamespace(NAMESPACE);
    for (Path values : valuesFiles) {
      template = template.withValuesFile(values);
    }
    return template.call();
  }

  private static void deepMerge(ObjectNode base, JsonNode overlay) {
    Iterator<Map.Entry<String, JsonNode>> fields = overlay.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = base.get(field.getKey());
      if (existing instanceof ObjectNode object && field.getValue().isObject()) {
        deepMerge(object, field.getValue());
      } else {
        base.set(field.getKey(), field.getValue());
      }
    }
  }

  private static void copyTree(Path from, Path to) {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path source : (Iterable<Path>) paths::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else if (Files.exists(source)) {
          Files.copy(source, target);
        }
        // a link whose source is not there yet: copyInto writes its placeholder
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
