package io.containerdexporter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.containerdexporter.cri.CriClient;
import io.containerdexporter.cri.v1.ContainerState;
import io.containerdexporter.testkit.ContainerdExtension;
import io.containerdexporter.testkit.ContainerdSandbox;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event families for a Kubernetes pod, with the test playing kubelet through containerd's own
 * CRI: the labels come from what kubelet passes (io.kubernetes.*) and containerd's CRI adds
 * (io.cri-containerd.kind), the {@code id} is the cgroup path CRI put in the spec, and a restart is
 * kubelet's kind: a new container with the same pod and name and the next attempt number, the dead
 * one kept.
 */
@ExtendWith(ContainerdExtension.class)
class KubernetesContainersIT {

  private static final String BUSYBOX = ContainerdSandbox.BUSYBOX_IMAGE;
  private static final String K8S_IO = CriClient.K8S_NAMESPACE;
  private static final Duration EVENT_WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final ContainerdSandbox containerd;

  KubernetesContainersIT(ContainerdSandbox containerd) {
    this.containerd = containerd;
  }

  /** What containerd itself recorded for a container: the image ref and the spec's cgroupsPath. */
  private record Recorded(String image, String cgroupsPath) {}

  private Recorded recorded(String id) {
    String info = containerd.ctr("-n", K8S_IO, "containers", "info", id).orThrow().stdout();
    try {
      JsonNode node = JSON.readTree(info);
      return new Recorded(
          node.path("Image").asText(),
          node.path("Spec").path("linux").path("cgroupsPath").asText());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The event-family series of one pod, as exposition text: printed in full when an await times
   * out.
   */
  private record PodSeries(MetricsText series) {
    static PodSeries of(MetricsText scrape, String pod) {
      String lines =
          scrape
              .text()
              .lines()
              .filter(
                  l ->
                      l.startsWith("containerd_task_")
                          || l.startsWith("containerd_container_restarts_total"))
              .filter(l -> l.contains("pod=\"" + pod + "\""))
              .collect(Collectors.joining("\n"));
      return new PodSeries(MetricsText.parse(lines));
    }

    Optional<Double> value(String name, String... labelPairs) {
      return series.value(name, labelPairs);
    }

    boolean has(double expected, String name, String... labelPairs) {
      return value(name, labelPairs).equals(Optional.of(expected));
    }

    @Override
    public String toString() {
      return "\n" + series.text();
    }
  }

  private static PodSeries awaitPod(
      ExporterProcess exporter,
      String podName,
      String what,
      java.util.function.Predicate<PodSeries> ok) {
    try {
      return Await.until(EVENT_WAIT, what, () -> PodSeries.of(exporter.scrape(), podName), ok);
    } catch (AssertionError e) {
      // Missing counts are usually missing events: show what the event path saw, and the exporter's
      // log.
      String eventPath =
          exporter
              .scrape()
              .text()
              .lines()
              .filter(
                  l ->
                      l.startsWith("containerd_events_total")
                          || l.startsWith("containerd_exporter_event"))
              .collect(Collectors.joining("\n"));
      throw new AssertionError(
          e.getMessage() + "\nevent path:\n" + eventPath + "\nexporter log:\n" + exporter.log(), e);
    }
  }

  /**
   * Stream-up alone is a guess: the exporter calls its stream up once the Subscribe call has not
   * failed for 500 ms, which can be before containerd has registered it (seen here: events of the
   * next second were lost). An event that arrives is proof. Creating a namespace is the smallest
   * event we can cause; a new one each second, in case the first went out before the subscription
   * was in place.
   */
  private void awaitEventsFlowing(ExporterProcess exporter, String probePrefix) {
    Await.until(
        EVENT_WAIT,
        "the event stream to be up",
        exporter::scrape,
        m -> m.value("containerd_exporter_event_stream_up").equals(Optional.of(1.0)));
    AtomicInteger probes = new AtomicInteger();
    AtomicLong lastProbe = new AtomicLong(System.nanoTime() - Duration.ofSeconds(1).toNanos());
    // containerd files /namespaces/create under the caller's namespace (ctr's "default"), not the
    // new one.
    Await.until(
        EVENT_WAIT,
        "the exporter to receive an event",
        () -> {
          if (System.nanoTime() - lastProbe.get() >= Duration.ofSeconds(1).toNanos()) {
            containerd.createNamespace(probePrefix + "-" + probes.incrementAndGet());
            lastProbe.set(System.nanoTime());
          }
          return exporter.scrape();
        },
        m ->
            m.samples("containerd_events_total").stream()
                .anyMatch(s -> s.labels().get("topic").equals("/namespaces/create")));
  }

  private void awaitState(CriClient cri, String id, ContainerState state) {
    Await.until(EVENT_WAIT, id + " to be " + state, () -> cri.containerState(id), state::equals);
  }

  @Test
  void startsExitsAndKubeletStyleRestartsCarryThePodsIdentity() {
    containerd.importBusybox(K8S_IO, BUSYBOX);
    try (ExporterProcess exporter =
            ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s");
        CriClient cri = CriClient.connect(containerd)) {
      // Events before the subscription are not counted: only start the pod once the exporter
      // listens.
      awaitEventsFlowing(exporter, "kcit-probe-a");

      String uid = UUID.randomUUID().toString();
      String pod = cri.runPod("shop", "web-0", uid);
      String app0 = cri.createContainer(pod, "app", 0, BUSYBOX, "sleep", "100000");
      cri.startContainer(app0);

      // ---- attempt 0: one start, with the identity containerd recorded
      Recorded recorded = recorded(app0);
      assertEquals(BUSYBOX, recorded.image(), "CRI records the image ref it was asked for");
      assertEquals(
          cri.podCgroupParent(uid) + "/" + app0,
          recorded.cgroupsPath(),
          "cgroupfs driver: <pod cgroup parent>/<container id>");
      Recorded sandbox = recorded(pod);
      awaitPod(
          exporter,
          "web-0",
          "one start of app (attempt 0) and of the pod's sandbox",
          s ->
              s.has(
                      1,
                      "containerd_task_starts_total",
                      "containerd_namespace",
                      K8S_IO,
                      "namespace",
                      "shop",
                      "pod",
                      "web-0",
                      "container",
                      "app",
                      "name",
                      app0,
                      "image",
                      recorded.image(),
                      "id",
                      recorded.cgroupsPath())
                  && s.has(
                      1,
                      "containerd_task_starts_total",
                      "containerd_namespace",
                      K8S_IO,
                      "namespace",
                      "shop",
                      "pod",
                      "web-0",
                      "container",
                      "",
                      "name",
                      pod,
                      "image",
                      sandbox.image(),
                      "id",
                      sandbox.cgroupsPath()));

      // ---- restart 1: kubelet kills the container (grace 0: SIGKILL) and creates attempt 1,
      // keeping the dead one.
      // Attempt 1 crashes at once with exit code 1.
      cri.stopContainer(app0, 0);
      String app1 = cri.createContainer(pod, "app", 1, BUSYBOX, "sh", "-c", "exit 1");
      cri.startContainer(app1);
      awaitState(cri, app1, ContainerState.CONTAINER_EXITED);
      awaitPod(
          exporter,
          "web-0",
          "restart 1: the kill of attempt 0 and the crash of attempt 1 counted",
          s ->
              s.has(
                      1,
                      "containerd_container_restarts_total",
                      "namespace",
                      "shop",
                      "pod",
                      "web-0",
                      "container",
                      "app")
                  && s.has(
                      1,
                      "containerd_task_exits_total",
                      "name",
                      app0,
                      "container",
                      "app",
                      "exit_code",
                      "137")
                  && s.has(1, "containerd_task_starts_total", "name", app1, "container", "app")
                  && s.has(
                      1,
                      "containerd_task_exits_total",
                      "name",
                      app1,
                      "container",
                      "app",
                      "exit_code",
                      "1"));

      // ---- restart 2: the crashed attempt 1 is followed by attempt 2, which stays up.
      String app2 = cri.createContainer(pod, "app", 2, BUSYBOX, "sleep", "100000");
      cri.startContainer(app2);
      awaitState(cri, app2, ContainerState.CONTAINER_RUNNING);
      PodSeries last =
          awaitPod(
              exporter,
              "web-0",
              "restart 2 counted",
              s ->
                  s.has(
                          2,
                          "containerd_container_restarts_total",
                          "namespace",
                          "shop",
                          "pod",
                          "web-0",
                          "container",
                          "app")
                      && s.has(
                          1,
                          "containerd_task_starts_total",
                          "name",
                          app2,
                          "container",
                          "app",
                          "id",
                          cri.podCgroupParent(uid) + "/" + app2));

      // Each container started once: a restart is a new container, never a second start of the old
      // one.
      for (String id : List.of(app0, app1, app2)) {
        assertEquals(
            Optional.of(1.0),
            last.value("containerd_task_starts_total", "name", id),
            id + ":" + last);
      }
      assertEquals(
          Optional.of(1.0),
          last.value("containerd_task_exits_total", "name", app0, "exit_code", "137"),
          last.toString());
      assertEquals(
          Optional.of(1.0),
          last.value("containerd_task_exits_total", "name", app1, "exit_code", "1"),
          last.toString());
      assertEquals(
          Optional.empty(),
          last.value("containerd_task_exits_total", "name", app2),
          last.toString());
      assertEquals(
          Optional.empty(),
          last.value("containerd_container_restarts_total", "container", ""),
          "the sandbox is not a Kubernetes container: no restart series for it" + last);

      cri.stopPod(pod);
      cri.removePod(pod);
    }
  }

  /**
   * An exporter (re)started after the crash but before kubelet's next attempt has never seen
   * attempt 0 start; it still counts attempt 1 as a restart, because kubelet keeps the dead attempt
   * 0 and the exporter finds it.
   */
  @Test
  void aRestartCountsWhenTheExporterOnlySawTheDeadPredecessor() {
    containerd.importBusybox(K8S_IO, BUSYBOX);
    try (CriClient cri = CriClient.connect(containerd)) {
      String pod = cri.runPod("shop", "api-0", UUID.randomUUID().toString());
      String app0 = cri.createContainer(pod, "app", 0, BUSYBOX, "sh", "-c", "exit 1");
      cri.startContainer(app0);
      awaitState(cri, app0, ContainerState.CONTAINER_EXITED);

      try (ExporterProcess exporter =
          ExporterProcess.start(containerd.socket(), "--poll.interval=1s", "--poll.timeout=1s")) {
        awaitEventsFlowing(exporter, "kcit-probe-b");
        String app1 = cri.createContainer(pod, "app", 1, BUSYBOX, "sleep", "100000");
        cri.startContainer(app1);
        PodSeries seen =
            awaitPod(
                exporter,
                "api-0",
                "attempt 1 started and counted as restart 1",
                s ->
                    s.has(1, "containerd_task_starts_total", "name", app1, "container", "app")
                        && s.value("containerd_container_restarts_total", "container", "app")
                            .isPresent());
        assertEquals(
            Optional.of(1.0),
            seen.value(
                "containerd_container_restarts_total",
                "namespace",
                "shop",
                "pod",
                "api-0",
                "container",
                "app"),
            seen.toString());
        assertEquals(
            0.0,
            seen.value("containerd_task_starts_total", "name", app0).orElse(0.0),
            "a start before the exporter ran is not counted" + seen);
      }
    }
  }
}
