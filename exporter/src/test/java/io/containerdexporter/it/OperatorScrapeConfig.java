package io.containerdexporter.it;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.RelabelConfig;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scrape config the Prometheus Operator generates for one ServiceMonitor endpoint, for a target
 * given as a static config instead of Kubernetes service discovery.
 *
 * <p>Kubernetes SD is emulated by the target's labels: the {@code __meta_kubernetes_*} labels the
 * endpoints role would attach (namespace, service, pod, container and the pod's node name) are set
 * on the static target, where relabeling sees them exactly as it sees discovered ones and drops
 * them afterwards. Then come the relabelings the Operator always prepends (namespace, service, pod,
 * container, job, endpoint from those meta labels), then the ServiceMonitor's own, and its {@code
 * honorLabels} as {@code honor_labels}.
 */
final class OperatorScrapeConfig {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** What Kubernetes would know about the exporter's pod. */
  record DiscoveredPod(
      String namespace, String service, String pod, String container, String node) {
    Map<String, String> metaLabels() {
      Map<String, String> labels = new LinkedHashMap<>();
      labels.put("__meta_kubernetes_namespace", namespace);
      labels.put("__meta_kubernetes_service_name", service);
      labels.put("__meta_kubernetes_pod_name", pod);
      labels.put("__meta_kubernetes_pod_container_name", container);
      labels.put("__meta_kubernetes_pod_node_name", node);
      return labels;
    }
  }

  private OperatorScrapeConfig() {}

  static String of(String jobName, Endpoint endpoint, String target, DiscoveredPod pod) {
    List<Map<String, Object>> relabelings = new ArrayList<>();
    // prometheus-operator pkg/prometheus/promcfg.go: the target labels every ServiceMonitor gets
    relabelings.add(replace("__meta_kubernetes_namespace", "namespace"));
    relabelings.add(replace("__meta_kubernetes_service_name", "service"));
    relabelings.add(replace("__meta_kubernetes_pod_name", "pod"));
    relabelings.add(replace("__meta_kubernetes_pod_container_name", "container"));
    relabelings.add(replace("__meta_kubernetes_service_name", "job"));
    relabelings.add(Map.of("target_label", "endpoint", "replacement", endpoint.getPort()));
    for (RelabelConfig r : endpoint.getRelabelings()) {
      relabelings.add(snakeCase(r));
    }
    Map<String, Object> job = new LinkedHashMap<>();
    job.put("job_name", jobName);
    job.put("honor_labels", Boolean.TRUE.equals(endpoint.getHonorLabels()));
    job.put("metrics_path", endpoint.getPath());
    job.put(
        "static_configs", List.of(Map.of("targets", List.of(target), "labels", pod.metaLabels())));
    job.put("relabel_configs", relabelings);
    try {
      return YAML.writeValueAsString(List.of(job)).replaceFirst("^---\\n", "");
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> replace(String source, String target) {
    return Map.of("source_labels", List.of(source), "target_label", target, "action", "replace");
  }

  private static Map<String, Object> snakeCase(RelabelConfig r) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (r.getSourceLabels() != null && !r.getSourceLabels().isEmpty()) {
      out.put("source_labels", r.getSourceLabels());
    }
    putIfSet(out, "separator", r.getSeparator());
    putIfSet(out, "target_label", r.getTargetLabel());
    putIfSet(out, "regex", r.getRegex());
    putIfSet(out, "modulus", r.getModulus());
    putIfSet(out, "replacement", r.getReplacement());
    putIfSet(out, "action", r.getAction());
    return out;
  }

  private static void putIfSet(Map<String, Object> out, String key, Object value) {
    if (value != null) {
      out.put(key, value);
    }
  }
}
