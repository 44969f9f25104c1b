package io.containerdexporter.collect;

import static io.containerdexporter.collect.ContainerStatsTable.LABELS;

import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.index.ContainerIdentity;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.Family;
import io.containerdexporter.metrics.FamilyBuilder;
import io.containerdexporter.metrics.FamilySpec;
import io.containerdexporter.model.RoundView;
import io.containerdexporter.proc.Procfs;
import java.util.List;
import java.util.Optional;

/**
 * cAdvisor's process families of every live task: the processes of its cgroup ({@code
 * cgroup.procs}), their open file descriptors and sockets ({@code /proc/PID/fd} of each), and the
 * soft open-files limit of its init process ({@code /proc/PID/limits}, cAdvisor's only ulimit).
 * Reading every process's fd directory is the costly part: it is skipped when neither of its
 * families is wanted ({@code --metrics.exclude}), and the links are read only for sockets. A
 * process that exits during the read is skipped; unusable procfs files are counted in {@code
 * containerd_exporter_procfs_read_errors_total} (served by the network collector).
 */
public final class ProcessesCollector implements Collector {

  static final FamilySpec PROCESSES =
      FamilySpec.gauge(
          "container_processes",
          "Number of processes running inside the container (cgroup.procs).",
          LABELS.toArray(String[]::new));
  static final FamilySpec FILE_DESCRIPTORS =
      FamilySpec.gauge(
          "container_file_descriptors",
          "Number of open file descriptors of the container's processes (/proc/PID/fd).",
          LABELS.toArray(String[]::new));
  static final FamilySpec SOCKETS =
      FamilySpec.gauge(
          "container_sockets",
          "Number of open sockets of the container's processes (/proc/PID/fd links to socket:[…]).",
          LABELS.toArray(String[]::new));
  static final FamilySpec ULIMITS_SOFT =
      FamilySpec.gauge(
          "container_ulimits_soft",
          "Soft ulimit of the container's init process (/proc/PID/limits); as cAdvisor, only ulimit "
              + "\"max_open_files\", -1 if unlimited.",
          ContainerStatsTable.with("ulimit").toArray(String[]::new));

  private final ContainerIndex index;
  private final CgroupReader reader;
  private final Procfs procfs;

  ProcessesCollector(ContainerIndex index, CgroupReader reader, Procfs procfs) {
    this.index = index;
    this.reader = reader;
    this.procfs = procfs;
  }

  @Override
  public String name() {
    return "processes";
  }

  @Override
  public List<FamilySpec> families() {
    return List.of(PROCESSES, FILE_DESCRIPTORS, SOCKETS, ULIMITS_SOFT);
  }

  @Override
  public List<Family> collect(PollScope scope) {
    FamilyBuilder processes = PROCESSES.builder();
    FamilyBuilder descriptors = FILE_DESCRIPTORS.builder();
    FamilyBuilder sockets = SOCKETS.builder();
    FamilyBuilder ulimits = ULIMITS_SOFT.builder();
    boolean countSockets = scope.wants(SOCKETS);
    boolean scanFds = countSockets || scope.wants(FILE_DESCRIPTORS);
    boolean readUlimits = scope.wants(ULIMITS_SOFT);
    for (RoundView.LiveTask live : scope.view().liveTasks()) {
      ContainerIdentity identity = index.identity(live.container());
      // The identity's cgroup path is CgroupPaths.fromSpec of the spec's, done once per container.
      Optional<List<Long>> pids = reader.processes(identity.cgroupPath());
      if (pids.isEmpty()) {
        continue; // its cgroup is gone (the task just exited), or not on this host
      }
      String[] labels = identity.labelValues();
      processes.add(pids.get().size(), labels);
      if (scanFds) {
        long fds = 0;
        long socks = 0;
        int read = 0;
        for (long pid : pids.get()) {
          Optional<Procfs.OpenFiles> open = procfs.openFiles(pid, countSockets);
          if (open.isPresent()) {
            read++;
            fds += open.get().descriptors();
            socks += open.get().sockets().orElse(0);
          }
        }
        // None of its processes readable (all gone, or procfs not mounted in): no series, not 0.
        if (read > 0) {
          descriptors.add(fds, labels);
          if (countSockets) {
            sockets.add(socks, labels);
          }
        }
      }
      if (readUlimits && live.task().pid() > 0) {
        procfs
            .maxOpenFilesSoft(live.task().pid())
            .ifPresent(soft -> ulimits.add(soft, identity.labelValuesWith("max_open_files")));
      }
    }
    return List.of(processes.build(), descriptors.build(), sockets.build(), ulimits.build());
  }
}
