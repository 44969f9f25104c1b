package io.containerdexporter.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * helm/containerd-exporter with real helm: lint --strict, and the rendered objects read into the
 * Kubernetes API's own types, with what matters on a node asserted: read-only host mounts, probes,
 * the security context.
 */
class ChartTest {

  static final Path EVERYTHING = values("everything-enabled.yaml");

  @TempDir static Path temp;
  static ChartUnderTest chart;

  @BeforeAll
  static void copyChart() {
    chart = ChartUnderTest.copyInto(temp);
  }

  static Path values(String name) {
    return Path.of("src/test/resources/chart", name).toAbsolutePath();
  }

  @Test
  void lintStrictIsCleanWithDefaultValues() {
    LintResult lint = chart.lintStrict();
    assertFalse(lint.isFailed(), () -> String.join("\n", lint.getMessages()));
  }

  @Test
  void lintStrictIsCleanWithEverythingEnabled(@TempDir Path dir) {
    LintResult lint = ChartUnderTest.copyInto(dir).withDefaultValues(EVERYTHING).lintStrict();
    assertFalse(lint.isFailed(), () -> String.join("\n", lint.getMessages()));
  }

  @Test
  void defaultsRenderADaemonSetReadOnlyOnTheHost() {
    KubernetesObjects objects = KubernetesObjects.parse(chart.template());
    DaemonSet ds = objects.one(DaemonSet.class);
    PodSpec pod = ds.getSpec().getTemplate().getSpec();
    Container exporter = pod.getContainers().get(0);

    Map<String, VolumeMount> mounts = byName(exporter.getVolumeMounts(), VolumeMount::getName);
    Map<String, Volume> volumes = byName(pod.getVolumes(), Volume::getName);
    assertHostMount(
        mounts, volumes, "containerd-socket", "/run/containerd/containerd.sock", "Socket");
    assertHostMount(mounts, volumes, "sys", "/host/sys", "Directory");
    assertEquals("/sys", volumes.get("sys").getHostPath().getPath());
    assertHostMount(mounts, volumes, "proc", "/host/proc", "Directory");
    assertEquals("/proc", volumes.get("proc").getHostPath().getPath());
    assertEquals("/tmp", mounts.get("tmp").getMountPath());
    assertEquals("Memory", volumes.get("tmp").getEmptyDir().getMedium());
    assertEquals(
        List.of("containerd-socket", "sys", "proc", "tmp"),
        exporter.getVolumeMounts().stream().map(VolumeMount::getName).toList(),
        "no other mount by default");

    assertTrue(
        exporter
            .getArgs()
            .containsAll(
                List.of(
                    "--containerd.address=/run/containerd/containerd.sock",
                    "--path.cgroupfs=/host/sys/fs/cgroup",
                    "--path.sysfs=/host/sys",
                    "--path.procfs=/host/proc",
                    "--web.listen-address=:9338")),
        exporter.getArgs().toString());

    assertProbe(exporter.getLivenessProbe(), "/-/healthy", "HTTP");
    assertProbe(exporter.getReadinessProbe(), "/-/ready", "HTTP");
    assertProbe(exporter.getStartupProbe(), "/-/healthy", "HTTP");
    assertEquals(9338, exporter.getPorts().get(0).getContainerPort());

    SecurityContext sc = exporter.getSecurityContext();
    assertTrue(sc.getReadOnlyRootFilesystem());
    assertFalse(sc.getAllowPrivilegeEscalation());
    assertFalse(sc.getPrivileged());
    assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
    assertEquals(
        List.of("SYS_PTRACE"),
        sc.getCapabilities().getAdd(),
        "only what the network collector's /proc/PID/ns/net links need");
    PodSecurityContext psc = pod.getSecurityContext();
    assertEquals("RuntimeDefault", psc.getSeccompProfile().getType());
    assertEquals(0L, psc.getRunAsUser(), "containerd's socket is root's only by default");

    assertFalse(pod.getHostPID());
    assertFalse(pod.getAutomountServiceAccountToken());
    assertEquals("system-node-critical", pod.getPriorityClassName());
    assertEquals("Exists", pod.getTolerations().get(0).getOperator());
    assertNull(pod.getTolerations().get(0).getKey(), "tolerates every taint");
    assertEquals("RollingUpdate", ds.getSpec().getUpdateStrategy().getType());
    assertTrue(exporter.getResources().getRequests().containsKey("memory"));
    assertTrue(exporter.getResources().getLimits().containsKey("memory"));

    Service service = objects.one(Service.class);
    assertEquals("None", service.getSpec().getClusterIP(), "headless");
    assertEquals(ds.getSpec().getSelector().getMatchLabels(), service.getSpec().getSelector());
  }

  @Test
  void aSocketGroupRunsTheImagesNonRootUser() {
    PodSecurityContext psc =
        KubernetesObjects.parse(chart.template(values("socket-group.yaml")))
            .one(DaemonSet.class)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getSecurityContext();
    assertEquals(65532L, psc.getRunAsUser());
    assertTrue(psc.getRunAsNonRoot());
    assertEquals(List.of(990L), psc.getSupplementalGroups());
    assertEquals("RuntimeDefault", psc.getSeccompProfile().getType());
  }

  @Test
  void everythingEnabledWiresTheWebConfigSecretAndTheJournal() {
    KubernetesObjects objects = KubernetesObjects.parse(chart.template(EVERYTHING));
    PodSpec pod = objects.one(DaemonSet.class).getSpec().getTemplate().getSpec();
    Container exporter = pod.getContainers().get(0);
    Map<String, VolumeMount> mounts = byName(exporter.getVolumeMounts(), VolumeMount::getName);
    Map<String, Volume> volumes = byName(pod.getVolumes(), Volume::getName);

    String secretName =
        objects.ofType(io.fabric8.kubernetes.api.model.Secret.class).get(0).getMetadata().getName();
    assertEquals(secretName, volumes.get("web-config").getSecret().getSecretName());
    assertEquals("/etc/containerd-exporter/web", mounts.get("web-config").getMountPath());
    assertTrue(mounts.get("web-config").getReadOnly());
    assertTrue(
        exporter
            .getArgs()
            .contains("--web.config.file=/etc/containerd-exporter/web/web-config.yml"));
    assertProbe(exporter.getReadinessProbe(), "/-/ready", "HTTPS");
    assertTrue(
        exporter.getArgs().contains("--web.health.skip-auth"), "kubelet probes carry no auth");
    assertEquals("/etc/containerd-exporter/tls", mounts.get("web-tls").getMountPath());
    assertEquals("containerd-exporter-tls", volumes.get("web-tls").getSecret().getSecretName());

    assertTrue(exporter.getArgs().contains("--pulls.journal-unit=containerd"));
    assertHostMount(mounts, volumes, "journal-0", "/var/log/journal", "DirectoryOrCreate");
    assertTrue(pod.getHostPID());
    assertTrue(exporter.getArgs().contains("--poll.interval=30s"));
    assertEquals("JDK_JAVA_OPTIONS", exporter.getEnv().get(0).getName());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "bad-port-type.yaml",
        "bad-unknown-key.yaml",
        "bad-boolean.yaml",
        "bad-pull-source.yaml"
      })
  void theSchemaRejectsWrongValues(String file) {
    IllegalStateException refused =
        assertThrows(IllegalStateException.class, () -> chart.template(values(file)));
    assertTrue(
        refused.getMessage().contains("values don't meet the specifications of the schema"),
        refused.getMessage());
  }

  @Test
  void theStrictReaderRefusesAFieldTheApiDoesNotHave() {
    String typo =
        chart.template().replace("readOnlyRootFilesystem: true", "readOnlyRootFileSystem: true");
    KubernetesObjects.InvalidManifestException refused =
        assertThrows(
            KubernetesObjects.InvalidManifestException.class, () -> KubernetesObjects.parse(typo));
    assertTrue(refused.getMessage().contains("readOnlyRootFileSystem"), refused.getMessage());
  }

  private static void assertHostMount(
      Map<String, VolumeMount> mounts,
      Map<String, Volume> volumes,
      String name,
      String mountPath,
      String hostPathType) {
    VolumeMount mount = mounts.get(name);
    assertEquals(mountPath, mount.getMountPath(), name);
    assertTrue(Boolean.TRUE.equals(mount.getReadOnly()), name + " must be read-only");
    assertEquals(hostPathType, volumes.get(name).getHostPath().getType(), name);
  }

  private static void assertProbe(Probe probe, String path, String scheme) {
    assertEquals(path, probe.getHttpGet().getPath());
    assertEquals("metrics", probe.getHttpGet().getPort().getStrVal());
    assertEquals(scheme, probe.getHttpGet().getScheme());
  }

  private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
    return items.stream().collect(Collectors.toMap(name, Function.identity()));
  }
}
