package io.containerdexporter.containerd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.containerdexporter.model.NetworkNamespace;
import io.containerdexporter.model.SpecResources;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The two things the exporter reads from a container's OCI runtime spec (a JSON document inside a
 * protobuf Any): where its cgroup is, and its annotations.
 */
final class OciSpecs {

  record Parsed(
      String cgroupsPath,
      Map<String, String> annotations,
      SpecResources resources,
      NetworkNamespace network) {}

  static final Parsed EMPTY =
      new Parsed("", Map.of(), SpecResources.NONE, NetworkNamespace.UNKNOWN);

  private static final ObjectMapper JSON = new ObjectMapper();

  private OciSpecs() {}

  /** runc gives a container the host's network unless the spec lists a network namespace. */
  private static NetworkNamespace network(JsonNode namespaces) {
    if (!namespaces.isArray()) {
      return NetworkNamespace.UNKNOWN;
    }
    for (JsonNode ns : namespaces) {
      if ("network".equals(ns.path("type").asText())) {
        return NetworkNamespace.PRIVATE;
      }
    }
    return NetworkNamespace.HOST;
  }

  private static OptionalLong number(JsonNode node) {
    return node.isIntegralNumber() && node.canConvertToLong()
        ? OptionalLong.of(node.asLong())
        : OptionalLong.empty();
  }

  /** Never throws: a spec that is not JSON (or absent) yields {@link #EMPTY}. */
  static Parsed parse(ByteString specJson) {
    if (specJson.isEmpty()) {
      return EMPTY;
    }
    try {
      JsonNode root = JSON.readTree(specJson.newInput());
      if (root == null || !root.isObject()) {
        return EMPTY;
      }
      Map<String, String> annotations = new LinkedHashMap<>();
      root.path("annotations")
          .properties()
          .forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
      JsonNode resources = root.path("linux").path("resources");
      return new Parsed(
          root.path("linux").path("cgroupsPath").asText(""),
          annotations,
          new SpecResources(
              number(resources.path("cpu").path("quota")),
              number(resources.path("cpu").path("period")),
              number(resources.path("cpu").path("shares")),
              number(resources.path("memory").path("limit")),
              number(resources.path("memory").path("swap"))),
          network(root.path("linux").path("namespaces")));
    } catch (IOException e) {
      return EMPTY;
    }
  }
}
