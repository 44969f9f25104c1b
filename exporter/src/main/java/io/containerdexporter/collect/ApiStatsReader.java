package io.containerdexporter.collect;

import com.google.protobuf.Any;
import io.containerdexporter.cgroup.CgroupStats;
import io.containerdexporter.containerd.ContainerdUnreachable;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.model.TaskInfo;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * containerd's Tasks.Metrics for one namespace, read so that one hung shim costs only its own task.
 * containerd answers the namespace-wide call by asking every task's shim in turn, with no deadline
 * of its own on a shim's Stats (1.6), so one shim that does not answer makes the whole call time
 * out. Hence:
 *
 * <ul>
 *   <li>the fast path stays one namespace-wide call, leaving out (filter {@code id!="ID"}) the
 *       suspects: tasks containerd stopped listing ({@link UnlistedTasks}) and tasks remembered as
 *       stuck;
 *   <li>a stuck task still listed is asked alone ({@code id=="ID"}, {@link #TASK_DEADLINE}) beside
 *       the fast path, every round, until it answers: its stats come back the round its shim does,
 *       and a round pays at most one short deadline for it, in parallel;
 *   <li>when the fast path fails (a timeout: a shim hung after being listed, or one the exporter
 *       never saw listed, e.g. it started during the hang), every task is asked alone, {@link
 *       #PARALLEL} at a time, each under {@link #TASK_DEADLINE}, within the collector's budget; one
 *       that times out is remembered as stuck. Those asked alone are every listed task with a
 *       process and every container with no listed task (the filter finds no task for most of them,
 *       and containerd answers at once).
 * </ul>
 *
 * A stuck task is forgotten when it answers alone, or when its container goes. An unreachable
 * containerd is not retried task by task: the collector fails as before.
 */
final class ApiStatsReader {

  static final FamilySpec TIMEOUTS =
      FamilySpec.counter(
          "containerd_exporter_task_stats_timeouts_total",
          "Tasks.Metrics calls of the api stats source that hit their deadline, by call: \"namespace\" (the "
              + "namespace-wide call; each task is then asked alone) or \"task\" (one task asked alone: its shim does "
              + "not answer, its stats are left out of the round and it is asked alone each round until it answers).",
          "containerd_namespace",
          "call");

  /**
   * The deadline of one task's own call: a shim that answers at all answers Stats in milliseconds.
   */
  static final Duration TASK_DEADLINE = Duration.ofSeconds(1);

  /** Calls to containerd at once when asking task by task. */
  static final int PARALLEL = 4;

  private static final Logger LOG = Logger.getLogger(ApiStatsReader.class.getName());

  /** Tasks.Metrics with filters and a deadline; see ContainerdClient#taskMetrics. */
  @FunctionalInterface
  interface Calls {
    Map<String, Any> metrics(String namespace, List<String> filters, Duration deadline);
  }

  private final Calls calls;
  private final Function<Map<String, Any>, Map<String, CgroupStats>> convert;
  private final Duration callTimeout;
  private final Duration budget;
  private final ThreadPoolExecutor pool;

  /** Container ids whose own call timed out, by namespace. */
  private final Map<String, Set<String>> stuck = new ConcurrentHashMap<>();

  private final Map<List<String>, AtomicLong> timeouts = new ConcurrentHashMap<>();
  private final Set<String> loggedNamespaces = ConcurrentHashMap.newKeySet();

  /**
   * @param convert payloads by container id to stats (unusable payloads left out)
   * @param callTimeout the namespace-wide call's deadline ({@code --containerd.timeout})
   * @param pollTimeout the collector's whole run ({@code --poll.timeout}): all namespaces, fast
   *     path and fallback, must fit in it, or the poller drops the run and every task's stats with
   *     it
   */
  ApiStatsReader(
      Calls calls,
      Function<Map<String, Any>, Map<String, CgroupStats>> convert,
      Duration callTimeout,
      Duration pollTimeout) {
    this.calls = calls;
    this.convert = convert;
    this.callTimeout = callTimeout;
    // A tenth (at least 100 ms) is left for rendering what was read.
    this.budget = pollTimeout.minus(max(pollTimeout.dividedBy(10), Duration.ofMillis(100)));
    AtomicInteger n = new AtomicInteger();
    this.pool =
        new ThreadPoolExecutor(
            PARALLEL,
            PARALLEL,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "task-metrics-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true); // no idle threads between rounds
  }

  /**
   * Stats by container id of the namespace's tasks.
   *
   * @param runStarted when the collector's run began ({@code System.nanoTime()}): the budget counts
   *     from there
   */
  Map<String, CgroupStats> read(String namespace, RoundView.NamespaceView view, long runStarted)
      throws InterruptedException {
    long deadline = runStarted + budget.toNanos();
    Set<String> stuckHere = stuck.computeIfAbsent(namespace, n -> ConcurrentHashMap.newKeySet());
    stuckHere.retainAll(view.containers().keySet());
    Set<String> live = new LinkedHashSet<>();
    Set<String> listed = new LinkedHashSet<>();
    for (TaskInfo t : view.tasks()) {
      listed.add(t.containerId());
      if (t.status().hasProcess()) {
        live.add(t.containerId());
      }
    }
    Set<String> suspects = new LinkedHashSet<>(view.listing().unlisted());
    suspects.addAll(stuckHere);

    Map<String, Future<Map<String, Any>>> alone = new LinkedHashMap<>();
    for (String id : stuckHere) {
      if (live.contains(id)) {
        alone.put(id, askAlone(namespace, id, deadline));
      }
    }
    Map<String, Any> payloads = new HashMap<>();
    try {
      payloads.putAll(calls.metrics(namespace, excluding(suspects), fastDeadline(deadline)));
      loggedNamespaces.remove(namespace);
    } catch (StatusRuntimeException e) {
      if (ContainerdUnreachable.is(e) || e.getStatus().getCode() == Status.Code.CANCELLED) {
        alone.values().forEach(f -> f.cancel(true));
        throw e;
      }
      if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
        count(namespace, "namespace");
      }
      if (loggedNamespaces.add(namespace)) {
        LOG.warning(
            "Tasks.Metrics of namespace "
                + namespace
                + " failed ("
                + e.getStatus().getCode()
                + "; a shim that does not answer makes it time out): asking each task alone");
      }
      for (String id : view.containers().keySet()) {
        if (!suspects.contains(id) && (live.contains(id) || !listed.contains(id))) {
          alone.put(id, askAlone(namespace, id, deadline));
        }
      }
    }
    for (Map.Entry<String, Future<Map<String, Any>>> e : alone.entrySet()) {
      String id = e.getKey();
      Outcome outcome = outcome(e.getValue(), deadline);
      if (outcome.payloads() != null) {
        payloads.putAll(outcome.payloads());
        if (stuckHere.remove(id)) {
          LOG.info(() -> "the task of " + namespace + "/" + id + " answers Tasks.Metrics again");
        }
      } else if (outcome.timedOut()) {
        count(namespace, "task");
        if (stuckHere.add(id)) {
          LOG.warning(
              "the shim of "
                  + namespace
                  + "/"
                  + id
                  + " did not answer Tasks.Metrics within "
                  + TASK_DEADLINE.toMillis()
                  + "ms: its stats are left out, and it is asked alone each round until it answers");
        }
      }
    }
    return convert.apply(payloads);
  }

  /** The timeouts so far, by namespace and call; 0 for a watched namespace without any. */
  Family timeouts(Collection<String> namespaces) {
    FamilyBuilder out = TIMEOUTS.builder();
    for (String ns : namespaces) {
      for (String call : List.of("namespace", "task")) {
        AtomicLong n = timeouts.get(List.of(ns, call));
        out.add(n == null ? 0 : n.get(), ns, call);
      }
    }
    timeouts.keySet().removeIf(k -> !namespaces.contains(k.get(0)));
    stuck.keySet().retainAll(namespaces);
    return out.build();
  }

  private Future<Map<String, Any>> askAlone(String namespace, String id, long deadline) {
    return pool.submit(
        () -> {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new TimeoutException("no time left in the round");
          }
          return calls.metrics(
              namespace,
              List.of("id==" + quoted(id)),
              Duration.ofNanos(Math.min(left, TASK_DEADLINE.toNanos())));
        });
  }

  /** What one task's own call gave: its payloads, or null and whether its deadline hit. */
  private record Outcome(Map<String, Any> payloads, boolean timedOut) {}

  private static Outcome outcome(Future<Map<String, Any>> f, long deadline)
      throws InterruptedException {
    try {
      // Each call has its own deadline; the wait here only guards against one that never ends.
      long wait = Math.max(0, deadline - System.nanoTime()) + TimeUnit.MILLISECONDS.toNanos(50);
      return new Outcome(f.get(wait, TimeUnit.NANOSECONDS), false);
    } catch (ExecutionException e) {
      boolean timedOut =
          e.getCause() instanceof StatusRuntimeException s
              && s.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED;
      if (!timedOut) {
        LOG.log(Level.FINE, "a task's own Tasks.Metrics failed", e.getCause());
      }
      return new Outcome(null, timedOut);
    } catch (TimeoutException | CancellationException e) {
      f.cancel(true); // the round's budget is spent: not the shim's fault, not counted
      return new Outcome(null, false);
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    }
  }

  /**
   * The namespace-wide call's deadline: {@code --containerd.timeout}, but short enough that asking
   * each task alone after it still fits in the budget.
   */
  private Duration fastDeadline(long deadline) {
    long left = deadline - System.nanoTime();
    long fast = Math.min(callTimeout.toNanos(), left - TASK_DEADLINE.toNanos());
    return Duration.ofNanos(Math.max(fast, Math.min(left, TASK_DEADLINE.toNanos())));
  }

  /** One filter: every task but these (a comma within a filter means "and"). */
  static List<String> excluding(Collection<String> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    List<String> parts = new ArrayList<>();
    ids.stream().sorted().forEach(id -> parts.add("id!=" + quoted(id)));
    return List.of(String.join(",", parts));
  }

  /**
   * A filter value in quotes: container ids are letters, digits and {@code ._-} (containerd's
   * identifiers), but a quote or backslash would be escaped as containerd's filter parser reads it.
   */
  static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private void count(String namespace, String call) {
    timeouts.computeIfAbsent(List.of(namespace, call), k -> new AtomicLong()).incrementAndGet();
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
