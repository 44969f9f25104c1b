package io.containerdexporter.events;

import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.metrics.MetricSource;
import io.prometheus.metrics.model.registry.MetricType;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The event path's families, rendered from {@link EventState} at scrape time (a copy of a few
 * counters).
 */
public final class EventMetrics implements MetricSource {

  private static final String[] CONTAINER = ContainerIdentity.LABEL_NAMES.toArray(String[]::new);

  static final FamilySpec OOMS =
      new FamilySpec(
          "container_oom_events_total",
          MetricType.COUNTER,
          "Processes in the container's cgroup killed by the kernel's OOM killer (the kernel's oom_kill counter, read on "
              + "each /tasks/oom event and after the event stream was down, so every kill counts once; one OOM of a "
              + "memory.oom.group cgroup kills all its processes). Where the cgroup cannot be read (gone already, or not "
              + "on this host, e.g. Kata), each /tasks/oom event counts 1.",
          null,
          ContainerIdentity.LABEL_NAMES);
  static final FamilySpec EXITS =
      new FamilySpec(
          "containerd_task_exits_total",
          MetricType.COUNTER,
          "Exits of the task's init process by exit code (0, 1, 2, 126, 127, 137, 139, 143, other). Exec'd processes are "
              + "not counted.",
          null,
          labels("exit_code"));
  static final FamilySpec STARTS =
      new FamilySpec(
          "containerd_task_starts_total",
          MetricType.COUNTER,
          "Starts of the task's init process (/tasks/start).",
          null,
          ContainerIdentity.LABEL_NAMES);
  static final FamilySpec LAST_EXIT_CODE =
      new FamilySpec(
          "containerd_task_last_exit_code",
          MetricType.GAUGE,
          "Exit code of the task's init process the last time it exited.",
          null,
          ContainerIdentity.LABEL_NAMES);
  static final FamilySpec LAST_EXIT_TIME =
      new FamilySpec(
          "containerd_task_last_exit_timestamp_seconds",
          MetricType.GAUGE,
          "Unix time the task's init process last exited.",
          Unit.SECONDS,
          ContainerIdentity.LABEL_NAMES);
  static final FamilySpec RESTARTS =
      FamilySpec.counter(
          "containerd_container_restarts_total",
          "Restarts of a Kubernetes container as containerd sees them: a task started under a new container id for the "
              + "same pod and container name.",
          "namespace",
          "pod",
          "container");
  static final FamilySpec EVENTS =
      FamilySpec.counter(
          "containerd_events_total",
          "Events received from containerd by containerd namespace and topic.",
          "containerd_namespace",
          "topic");
  static final FamilySpec IMAGE_EVENTS =
      FamilySpec.counter(
          "containerd_image_events_total",
          "Image records created, updated or deleted (/images/* events).",
          "containerd_namespace",
          "action");
  static final FamilySpec STREAM_UP =
      FamilySpec.gauge(
          "containerd_exporter_event_stream_up",
          "1 while the exporter is subscribed to containerd's events, 0 while it reconnects.");
  static final FamilySpec RECONNECTS =
      FamilySpec.counter(
          "containerd_exporter_event_stream_reconnects_total",
          "Times the event stream was lost and subscribed again.");
  static final FamilySpec LAST_EVENT =
      FamilySpec.gauge(
          "containerd_exporter_last_event_timestamp_seconds",
          Unit.SECONDS,
          "Unix time the last event was received; absent before the first one.");
  static final FamilySpec DECODE_ERRORS =
      FamilySpec.counter(
          "containerd_exporter_events_decode_errors_total",
          "Events that could not be decoded (unknown_topic, unknown_type, malformed); they are skipped.",
          "reason");
  static final FamilySpec RECOVERED =
      FamilySpec.counter(
          "containerd_exporter_events_recovered_total",
          "OOM kills and exits the reconciler counted because no event told of them (the stream was down, or not yet "
              + "established after start).",
          "event");

  static final List<FamilySpec> FAMILIES =
      List.of(
          OOMS,
          EXITS,
          STARTS,
          LAST_EXIT_CODE,
          LAST_EXIT_TIME,
          RESTARTS,
          EVENTS,
          IMAGE_EVENTS,
          STREAM_UP,
          RECONNECTS,
          LAST_EVENT,
          DECODE_ERRORS,
          RECOVERED);

  private final EventState state;

  public EventMetrics(EventState state) {
    this.state = state;
  }

  private static List<String> labels(String extra) {
    return Stream.concat(ContainerIdentity.LABEL_NAMES.stream(), Stream.of(extra)).toList();
  }

  private final AtomicReference<Rendered> last = new AtomicReference<>();

  @Override
  public List<FamilySpec> families() {
    return FAMILIES;
  }

  /**
   * A scrape between two changes of the state (events, a reconcile, a poll round's labels) gets the
   * families rendered last, without copying the counters or taking the state's lock. After a change
   * unchanged counters still give back the same family instances, so the exposition reuses their
   * encoded bytes and gzip: the event path is encoded once per batch of events that changed
   * something, not once per scrape.
   */
  @Override
  public List<Family> render() {
    long changes = state.changes();
    Rendered previous = last.get();
    if (previous != null && previous.changes() == changes) {
      return previous.families();
    }
    EventCounts counts = state.counts();
    if (previous != null && previous.counts().equals(counts)) {
      last.set(new Rendered(changes, counts, previous.families()));
      return previous.families();
    }
    List<Family> families = List.copyOf(render(counts));
    last.set(new Rendered(changes, counts, families));
    return families;
  }

  private record Rendered(long changes, EventCounts counts, List<Family> families) {}

  private static List<Family> render(EventCounts s) {
    FamilyBuilder ooms = OOMS.builder();
    FamilyBuilder exits = EXITS.builder();
    FamilyBuilder starts = STARTS.builder();
    FamilyBuilder lastCode = LAST_EXIT_CODE.builder();
    FamilyBuilder lastTime = LAST_EXIT_TIME.builder();
    for (EventCounts.ContainerSeries c : s.containers()) {
      String[] labels = c.identity().labelValues();
      ooms.add(c.ooms(), labels);
      starts.add(c.starts(), labels);
      c.exitsByCode().forEach((code, n) -> exits.add(n, c.identity().labelValuesWith(code)));
      c.lastExitCode().ifPresent(code -> lastCode.add(code, labels));
      c.lastExitAt().ifPresent(at -> lastTime.add(at.toEpochMilli() / 1000.0, labels));
    }
    FamilyBuilder restarts = RESTARTS.builder();
    s.restarts().forEach((k, n) -> restarts.add(n, k.podNamespace(), k.pod(), k.container()));
    FamilyBuilder events = EVENTS.builder();
    s.events().forEach((k, n) -> events.add(n, k.get(0), k.get(1)));
    FamilyBuilder images = IMAGE_EVENTS.builder();
    s.imageEvents().forEach((k, n) -> images.add(n, k.get(0), k.get(1)));
    FamilyBuilder decode = DECODE_ERRORS.builder();
    s.decodeErrors().forEach((reason, n) -> decode.add(n, reason));
    FamilyBuilder recovered = RECOVERED.builder();
    s.recovered().forEach((event, n) -> recovered.add(n, event));

    List<Family> out =
        new ArrayList<>(
            List.of(
                ooms.build(),
                exits.build(),
                starts.build(),
                lastCode.build(),
                lastTime.build(),
                restarts.build(),
                events.build(),
                images.build(),
                STREAM_UP.builder().add(s.streamUp() ? 1 : 0).build(),
                RECONNECTS.builder().add(s.reconnects()).build(),
                decode.build(),
                recovered.build()));
    s.lastEvent()
        .ifPresent(at -> out.add(LAST_EVENT.builder().add(at.toEpochMilli() / 1000.0).build()));
    return out;
  }
}
