package io.containerdexporter.collect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.containerdexporter.cgroup.CgroupFixtures;
import io.containerdexporter.cgroup.CgroupReaders;
import io.containerdexporter.config.FamilyFilter;
import io.containerdexporter.config.NamespaceFilter;
import io.containerdexporter.containerd.ContainerdChannel;
import io.containerdexporter.containerd.ContainerdClient;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeNamespace;
import io.containerdexporter.index.ContainerIndex;
import io.containerdexporter.metrics.ReadErrors;
import io.containerdexporter.metrics.Snapshots;
import io.containerdexporter.proc.Procfs;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes, descriptors, sockets and the open-files ulimit over a cgroup.procs fixture and a
 * procfs tree made here (fd links as the kernel shows them), and the work skipped for excluded
 * families.
 */
class ProcessesCollectorTest {

  @TempDir Path dir;

  @Test
  void countsEveryProcessOfTheCgroupAndThePid1Ulimit() throws Exception {
    Path cgroupfs = dir.resolve("cgroup");
    Path cg = Files.createDirectories(cgroupfs.resolve("default/c1"));
    Files.writeString(cgroupfs.resolve("cgroup.controllers"), "cpu memory pids\n");
    Files.writeString(cg.resolve("cgroup.procs"), "100\n101\n102\n"); // 102 exits before the read
    Path procfs = dir.resolve("proc");
    fds(procfs, 100, "/dev/null", "pipe:[11]", "socket:[12]", "socket:[13]");
    fds(procfs, 101, "/dev/null", "anon_inode:[eventfd]", "socket:[14]");
    Files.writeString(
        procfs.resolve("100/limits"),
        "Limit                     Soft Limit           Hard Limit           Units     \n"
            + "Max processes             63455                63455                processes \n"
            + "Max open files            1024                 524288               files     \n");

    Map<String, Double> all = collect(cgroupfs, procfs, FamilyFilter.ALL);
    assertEquals(
        Map.of(
            "container_processes", 3.0,
            "container_file_descriptors", 7.0,
            "container_sockets", 3.0,
            "container_ulimits_soft", 1024.0),
        all);

    // Excluded: the fd directories are not even listed (a sockets-only exclusion reads no links).
    FamilyFilter noFds =
        new FamilyFilter(
            new NamespaceFilter(
                Pattern.compile(".*"),
                Optional.of(Pattern.compile("container_(file_descriptors|sockets)"))));
    assertEquals(
        Map.of("container_processes", 3.0, "container_ulimits_soft", 1024.0),
        collect(cgroupfs, procfs, noFds));
  }

  private static void fds(Path procfs, long pid, String... targets) throws Exception {
    Path fd = Files.createDirectories(procfs.resolve(pid + "/fd"));
    for (int i = 0; i < targets.length; i++) {
      Files.createSymbolicLink(fd.resolve(Integer.toString(i)), Path.of(targets[i]));
    }
  }

  private Map<String, Double> collect(Path cgroupfs, Path procfs, FamilyFilter filter)
      throws Exception {
    FakeContainerd containerd = new FakeContainerd();
    containerd
        .namespace("default")
        .container(
            "c1",
            "docker.io/library/redis:7.4",
            Map.of(),
            FakeNamespace.spec("/default/c1", Map.of()))
        .task("c1", 100, Status.RUNNING);
    containerd.start();
    try (ContainerdChannel channel = new ContainerdChannel(containerd.socket())) {
      ContainerdClient client = new ContainerdClient(channel, Duration.ofSeconds(5));
      return collect(
          cgroupfs,
          procfs,
          filter,
          Rounds.scope(client, new ContainerIndex(), Instant.now(), "default"));
    } finally {
      containerd.close();
    }
  }

  private static Map<String, Double> collect(
      Path cgroupfs, Path procfs, FamilyFilter filter, PollScope scope) throws Exception {
    ReadErrors errors = new ReadErrors("cgroup", "x");
    Collector c =
        new FamilyFilteredCollector(
            new ProcessesCollector(
                new ContainerIndex(),
                CgroupReaders.detect(cgroupfs, errors, CgroupFixtures.readFailures()),
                new Procfs(procfs, new ReadErrors("procfs", "y"))),
            filter);
    Map<String, Double> values = new TreeMap<>();
    for (MetricSnapshot s : Snapshots.of(c.collect(scope))) {
      s.getDataPoints()
          .forEach(
              p ->
                  values.put(
                      s.getMetadata().getPrometheusName(),
                      p
                              instanceof
                              io.prometheus.metrics.model.snapshots.GaugeSnapshot
                                      .GaugeDataPointSnapshot
                                  g
                          ? g.getValue()
                          : Double.NaN));
    }
    return values;
  }
}
