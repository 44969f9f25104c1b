package io.containerdexporter.collect;

import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.proc.ProcessFiles;
import io.containerdexporter.proc.ShimCommand;
import io.prometheus.metrics.model.snapshots.Unit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * containerd's own process and its shims, from the host's procfs: containerd's pid comes from
 * Introspection.Server; shims are found by their command line ({@link ShimCommand}) and told from
 * another containerd's by the socket they report to. A shim whose id is no task containerd lists in
 * its namespace serves nothing: leaked (it holds its memory until killed).
 *
 * <p>When containerd's pid is not under {@code --path.procfs} (the exporter in its own pid
 * namespace: a pod without {@code hostPID}), nothing here can be seen, and zero shims would be a
 * lie: {@code containerd_process_visible} says 0, it is logged once, and no other family is served.
 */
public final class ProcessCollector implements Collector {

  private static final Logger LOG = Logger.getLogger(ProcessCollector.class.getName());

  static final FamilySpec VISIBLE =
      FamilySpec.gauge(
          "containerd_process_visible",
          "1 if containerd's process (its pid from Introspection.Server, or the listener on its socket) is "
              + "visible under --path.procfs, so its and its shims' usage can be read; 0 if not (another pid "
              + "namespace: run with hostPID).");
  static final FamilySpec CPU =
      FamilySpec.counter(
          "containerd_process_cpu_seconds_total",
          Unit.SECONDS,
          "User and system CPU time containerd's process has used.");
  static final FamilySpec RSS =
      FamilySpec.gauge(
          "containerd_process_resident_memory_bytes",
          Unit.BYTES,
          "Resident memory of containerd's process (VmRSS).");
  static final FamilySpec FDS =
      FamilySpec.gauge(
          "containerd_process_open_fds", "File descriptors containerd's process has open.");
  static final FamilySpec THREADS =
      FamilySpec.gauge("containerd_process_threads", "Threads of containerd's process.");
  static final FamilySpec START =
      FamilySpec.gauge(
          "containerd_process_start_time_seconds",
          Unit.SECONDS,
          "When containerd's process started, in seconds since the epoch.");

  private static final String[] SHIM_LABELS = {"containerd_namespace", "runtime"};

  static final FamilySpec SHIMS =
      FamilySpec.gauge(
          "containerd_shims",
          "Shim processes of this containerd, by containerd namespace and runtime (CRI runs one per pod).",
          SHIM_LABELS);
  static final FamilySpec SHIMS_RSS =
      FamilySpec.gauge(
          "containerd_shims_resident_memory_bytes",
          Unit.BYTES,
          "Total resident memory (VmRSS) of this containerd's shims.",
          SHIM_LABELS);
  static final FamilySpec SHIMS_CPU =
      FamilySpec.counter(
          "containerd_shims_cpu_seconds_total",
          Unit.SECONDS,
          "Total user and system CPU time of the shims running now (falls when one exits, which rate() "
              + "takes as a reset).",
          SHIM_LABELS);
  static final FamilySpec SHIMS_LEAKED =
      FamilySpec.gauge(
          "containerd_shims_leaked",
          "Shims whose id is no task containerd lists in their namespace: they serve nothing and hold "
              + "their memory until killed.",
          SHIM_LABELS);
  static final FamilySpec READ_ERRORS =
      FamilySpec.counter(
          "containerd_exporter_process_read_errors_total",
          "Procfs reads of containerd's or its shims' processes that could not be used, by file below the pid "
              + "(stat, status, fd, cmdline); each file is logged once.",
          "file");

  private static final List<FamilySpec> FAMILIES =
      List.of(
          VISIBLE,
          CPU,
          RSS,
          FDS,
          THREADS,
          START,
          SHIMS,
          SHIMS_RSS,
          SHIMS_CPU,
          SHIMS_LEAKED,
          READ_ERRORS);

  /** Sums for one (namespace, runtime). */
  private static final class ShimTotals {
    int count;
    int leaked;
    long residentBytes;
    double cpuSeconds;
  }

  private static final String RUNC = "io.containerd.runc.";

  private final LongSupplier containerdPid;
  private final ProcessFiles procfs;
  private final String socket;
  private boolean invisibleLogged;
  private long listenerPid;
  private long searchedInode = -1;

  /**
   * @param containerdPid Introspection.Server's pid (0: not reported)
   * @param socket the containerd socket, as its shims' {@code -address} names it
   */
  ProcessCollector(LongSupplier containerdPid, ProcessFiles procfs, Path socket) {
    this.containerdPid = containerdPid;
    this.procfs = procfs;
    this.socket = socket.toString();
  }

  @Override
  public String name() {
    return "containerd-process";
  }

  @Override
  public List<FamilySpec> families() {
    return FAMILIES;
  }

  @Override
  public List<Family> collect(PollScope scope) throws InterruptedException {
    long pid = resolvePid();
    OptionalLong boot = procfs.bootTime();
    Optional<ProcessFiles.Usage> own =
        procfs.exists(pid) ? procfs.usage(pid, boot) : Optional.empty();
    List<Family> out = new ArrayList<>();
    out.add(VISIBLE.builder().add(own.isPresent() ? 1 : 0).build());
    if (own.isEmpty()) {
      logInvisibleOnce(pid);
      out.add(readErrors());
      return out;
    }
    invisibleLogged = false;
    ProcessFiles.Usage u = own.get();
    out.add(CPU.builder().add(u.cpuSeconds()).build());
    out.add(RSS.builder().add(u.residentBytes()).build());
    FamilyBuilder fds = FDS.builder();
    u.openFds().ifPresent(fds::add);
    out.add(fds.build());
    out.add(THREADS.builder().add(u.threads()).build());
    out.add(START.builder().add(u.startTimeSeconds()).build());
    out.addAll(shims(scope, boot));
    out.add(readErrors());
    return out;
  }

  private List<Family> shims(PollScope scope, OptionalLong boot) throws InterruptedException {
    Set<String> watched = new HashSet<>(scope.namespaces());
    double roundStart = scope.now().toEpochMilli() / 1000.0;
    Map<List<String>, ShimTotals> totals = new TreeMap<>(ProcessCollector::compareKeys);
    Map<String, Set<String>> taskIds = new HashMap<>();
    // A runc task's process is the container's init, which runc forked: never a shim, so its
    // command line need not be read to know that. (Not so for every runtime: Kata reports its
    // hypervisor's pid, so only runc's are skipped.)
    Set<Long> taskPids = new HashSet<>();
    for (RoundView.LiveTask live : scope.view().liveTasks()) {
      if (live.container().runtime().startsWith(RUNC)) {
        taskPids.add(live.task().pid());
      }
    }
    for (long pid : procfs.pids()) {
      if (Thread.currentThread().isInterrupted()) {
        throw new InterruptedException("process collector interrupted");
      }
      if (taskPids.contains(pid)) {
        continue;
      }
      Optional<ShimCommand> shim = procfs.cmdline(pid).flatMap(ShimCommand::parse);
      if (shim.isEmpty()
          || !shim.get().address().equals(socket)
          || !watched.contains(shim.get().namespace())) {
        continue;
      }
      // The shims' families sum memory and CPU; their fds are counted nowhere.
      Optional<ProcessFiles.Usage> usage = procfs.usage(pid, boot, false);
      if (usage.isEmpty()) {
        continue; // exited since the listing
      }
      ShimCommand s = shim.get();
      ShimTotals t =
          totals.computeIfAbsent(List.of(s.namespace(), s.runtime()), k -> new ShimTotals());
      t.count++;
      t.residentBytes += usage.get().residentBytes();
      t.cpuSeconds += usage.get().cpuSeconds();
      // A shim started after the round's listing may serve a task the listing could not show yet.
      if (usage.get().startTimeSeconds() < roundStart && !servesTask(scope, s, taskIds)) {
        t.leaked++;
      }
    }
    FamilyBuilder count = SHIMS.builder();
    FamilyBuilder rss = SHIMS_RSS.builder();
    FamilyBuilder cpu = SHIMS_CPU.builder();
    FamilyBuilder leaked = SHIMS_LEAKED.builder();
    totals.forEach(
        (key, t) -> {
          String[] labels = key.toArray(String[]::new);
          count.add(t.count, labels);
          rss.add(t.residentBytes, labels);
          cpu.add(t.cpuSeconds, labels);
          leaked.add(t.leaked, labels);
        });
    return List.of(count.build(), rss.build(), cpu.build(), leaked.build());
  }

  /**
   * Introspection.Server's pid, else (a daemon too old to report it) the process listening on the
   * socket, found once and kept while it lives. A search that found no holder is not repeated for
   * the same socket inode: it reads every fd link of every process (6000 readlinks a round at 1000
   * tasks), and a new containerd listens on a new socket, so a new inode is what calls for another.
   */
  private long resolvePid() throws InterruptedException {
    long reported = containerdPid.getAsLong();
    if (reported > 0) {
      return reported;
    }
    if (!procfs.exists(listenerPid)) {
      listenerPid = 0;
      OptionalLong inode = procfs.listeningInode(Path.of(socket));
      if (inode.isPresent() && inode.getAsLong() != searchedInode) {
        listenerPid = procfs.holderOf(inode.getAsLong()).orElse(0);
        searchedInode = inode.getAsLong(); // after the scan: an interrupted one is done again
      }
    }
    return listenerPid;
  }

  /**
   * Whether the shim's id is a task of its namespace; {@code taskIds} holds each namespace's ids,
   * collected once per round (a scan of the tasks per shim cost tasks × shims comparisons).
   */
  private static boolean servesTask(
      PollScope scope, ShimCommand shim, Map<String, Set<String>> taskIds) {
    return taskIds
        .computeIfAbsent(
            shim.namespace(),
            ns -> {
              Set<String> ids = new HashSet<>();
              scope.view().tasks(ns).forEach(task -> ids.add(task.containerId()));
              return ids;
            })
        .contains(shim.id());
  }

  private static int compareKeys(List<String> a, List<String> b) {
    int c = a.get(0).compareTo(b.get(0));
    return c != 0 ? c : a.get(1).compareTo(b.get(1));
  }

  private Family readErrors() {
    FamilyBuilder errors = READ_ERRORS.builder();
    procfs.errors().snapshot().forEach((file, n) -> errors.add(n, file));
    return errors.build();
  }

  private void logInvisibleOnce(long pid) {
    if (invisibleLogged) {
      return;
    }
    invisibleLogged = true;
    LOG.warning(
        pid == 0
            ? "no process under --path.procfs listens on "
                + socket
                + " (containerd before 1.6.25 does not report its pid; --path.procfs must be the host's"
                + " /proc, mounted as the chart does or with hostPID): its "
                + "process and its shims are not shown (containerd_process_visible 0)"
            : "containerd's pid "
                + pid
                + " is not under --path.procfs (another pid namespace's /proc? it must be the host's,"
                + " mounted as the chart does at /host/proc, or run with hostPID): its "
                + "process and its shims are not shown (containerd_process_visible 0)");
  }
}
