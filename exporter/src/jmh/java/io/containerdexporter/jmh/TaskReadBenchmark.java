package io.containerdexporter.jmh;

import io.containerdexporter.bench.SyntheticNode;
import io.containerdexporter.cgroup.CgroupRead;
import io.containerdexporter.cgroup.CgroupReadFailures;
import io.containerdexporter.cgroup.CgroupReader;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.proc.ProcessFiles;
import io.containerdexporter.proc.Procfs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What one poll round reads of one task, from a {@link SyntheticNode}'s files (real sizes, real
 * layouts): its cgroup (v1: five controllers' directories, v2: one) as the task-stats collector
 * reads it, its {@code cgroup.procs} as the processes collector does, and its processes' procfs
 * files (stat, status, fd/ with socket links, limits, ns/net, net/dev, cmdline). The tree is on
 * /tmp, not a kernel's cgroupfs: the figures are the exporter's own cost per file plus a tmpfs
 * syscall, not the kernel's cost of generating the text. Each operation reads the next task of 16,
 * so no one directory stays hot. Run: {@code scripts/bench jmh TaskReadBenchmark} (add {@code
 * -prof gc} for the allocation per read).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TaskReadBenchmark {

  @Param({"V1", "V2"})
  public SyntheticNode.Layout layout;

  private Path dir;
  private SyntheticNode node;
  private CgroupReader cgroups;
  private Procfs procfs;
  private ProcessFiles processFiles;
  private List<String> cgroupPaths;
  private List<Long> pids;
  private OptionalLong boot;
  private int next;

  @Setup(Level.Trial)
  public void start() throws IOException {
    dir = Files.createTempDirectory("jmh-task-read-");
    node = SyntheticNode.start(16, layout, dir);
    Path cgroupfs = dir.resolve("cgroupfs");
    cgroups =
        CgroupReaders.detect(
            cgroupfs, new ReadErrors("jmh", "cgroup"), new CgroupReadFailures("jmh"));
    procfs = new Procfs(dir.resolve("proc"), new ReadErrors("jmh", "procfs"));
    processFiles = new ProcessFiles(dir.resolve("proc"), new ReadErrors("jmh", "process"));
    Path hierarchy = layout == SyntheticNode.Layout.V1 ? cgroupfs.resolve("memory") : cgroupfs;
    try (Stream<Path> walk = Files.walk(hierarchy)) {
      cgroupPaths =
          walk.filter(p -> p.getFileName().toString().startsWith("cri-containerd-"))
              .map(p -> "/" + hierarchy.relativize(p))
              .sorted()
              .toList();
    }
    pids =
        cgroupPaths.stream()
            .map(path -> cgroups.processes(path).orElseThrow().get(0))
            .toList();
    boot = processFiles.bootTime(); // once per round, not per process
    if (cgroupPaths.size() != 16) {
      throw new IllegalStateException("expected 16 task cgroups, found " + cgroupPaths.size());
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    node.close();
    if (Files.exists(dir)) {
      try (Stream<Path> walk = Files.walk(dir)) {
        walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private int nextTask() {
    next = (next + 1) & 15;
    return next;
  }

  /** The task-stats collector's read of one task's cgroup. */
  @Benchmark
  public CgroupRead cgroup() {
    return cgroups.read(cgroupPaths.get(nextTask()));
  }

  /** The processes collector's read: cgroup.procs, then each process's fd/ (sockets counted). */
  @Benchmark
  public void processes(Blackhole bh) {
    int task = nextTask();
    Optional<List<Long>> procs = cgroups.processes(cgroupPaths.get(task));
    bh.consume(procs);
    for (long pid : procs.orElseThrow()) {
      bh.consume(procfs.openFiles(pid, true));
    }
    bh.consume(procfs.maxOpenFilesSoft(pids.get(task)));
  }

  /** The network collector's read of one pod owner: ns/net, then net/dev. */
  @Benchmark
  public void network(Blackhole bh) {
    long pid = pids.get(nextTask());
    OptionalLong netns = procfs.netNamespace(pid);
    bh.consume(netns);
    bh.consume(procfs.netDev(pid));
  }

  /**
   * The process collector's read of one process: cmdline (every pid but runc tasks'), then its
   * usage (shims).
   */
  @Benchmark
  public void process(Blackhole bh) {
    long pid = pids.get(nextTask());
    bh.consume(processFiles.cmdline(pid));
    bh.consume(processFiles.usage(pid, boot));
  }
}
