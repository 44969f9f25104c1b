package io.containerdexporter.chart;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code helm template} output read into the Kubernetes API's own types (fabric8's model, generated
 * from the API's OpenAPI schema, and the Prometheus Operator's CRDs), strictly: a wrong type fails
 * to bind, and a field the schema does not have (which fabric8 would keep aside in {@code
 * additionalProperties}) is an error too.
 */
public final class KubernetesObjects {

  private static final Map<String, Class<? extends HasMetadata>> KINDS =
      Map.of(
          "v1/ServiceAccount", ServiceAccount.class,
          "v1/Service", Service.class,
          "v1/Secret", Secret.class,
          "v1/ConfigMap", ConfigMap.class,
          "apps/v1/DaemonSet", DaemonSet.class,
          "monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class,
          "monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class);

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS);

  private final List<HasMetadata> objects;

  private KubernetesObjects(List<HasMetadata> objects) {
    this.objects = objects;
  }

  /**
   * Parses and validates every document; throws {@link InvalidManifestException} on the first bad
   * one.
   */
  public static KubernetesObjects parse(String manifests) {
    List<HasMetadata> objects = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(manifests)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || doc.isNull() || doc.isEmpty()) {
          continue;
        }
        String key = doc.path("apiVersion").asText() + "/" + doc.path("kind").asText();
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
          throw new InvalidManifestException("no schema for " + key + " in the test: " + doc);
        }
        HasMetadata object;
        try {
          object = YAML.treeToValue(doc, type);
        } catch (IOException e) {
          throw new InvalidManifestException(
              key + " does not match the API schema: " + e.getMessage());
        }
        List<String> unknown = UnknownFields.of(object);
        if (!unknown.isEmpty()) {
          throw new InvalidManifestException(key + " has fields the API does not: " + unknown);
        }
        objects.add(object);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new KubernetesObjects(objects);
  }

  public List<HasMetadata> all() {
    return objects;
  }

  public <T extends HasMetadata> List<T> ofType(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  /** The one object of that type; fails unless there is exactly one. */
  public <T extends HasMetadata> T one(Class<T> type) {
    List<T> found = ofType(type);
    if (found.size() != 1) {
      throw new AssertionError(
          "want one " + type.getSimpleName() + ", rendered " + found.size() + ": " + objects);
    }
    return found.get(0);
  }

  /** A rendered manifest that the Kubernetes API would refuse. */
  public static final class InvalidManifestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InvalidManifestException(String message) {
      super(message);
    }
  }
}
