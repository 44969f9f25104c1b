package io.containerdexporter.jmh;

import io.containerdexporter.cgroup.CgroupParsers;
import io.containerdexporter.cgroup.FlatKeyed;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing one cgroup v2 {@code memory.stat}, the largest file a task's read opens (about 40 keys
 * on a 6.x kernel). Run: {@code scripts/bench jmh FlatKeyedBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FlatKeyedBenchmark {

  // memory.stat of a small Burstable container on a 6.1 kernel, as the kernel writes it.
  private static final String MEMORY_STAT =
      String.join(
          "\n",
          "anon 3624960",
          "file 1462272",
          "kernel 802816",
          "kernel_stack 65536",
          "pagetables 81920",
          "sec_pagetables 0",
          "percpu 3120",
          "sock 0",
          "vmalloc 8192",
          "shmem 0",
          "zswap 0",
          "zswapped 0",
          "file_mapped 1081344",
          "file_dirty 0",
          "file_writeback 0",
          "swapcached 0",
          "anon_thp 0",
          "file_thp 0",
          "shmem_thp 0",
          "inactive_anon 3612672",
          "active_anon 12288",
          "inactive_file 1130496",
          "active_file 331776",
          "unevictable 0",
          "slab_reclaimable 521448",
          "slab_unreclaimable 116760",
          "slab 638208",
          "workingset_refault_anon 0",
          "workingset_refault_file 0",
          "workingset_activate_anon 0",
          "workingset_activate_file 0",
          "workingset_restore_anon 0",
          "workingset_restore_file 0",
          "workingset_nodereclaim 0",
          "pgscan 0",
          "pgsteal 0",
          "pgscan_kswapd 0",
          "pgscan_direct 0",
          "pgsteal_kswapd 0",
          "pgsteal_direct 0",
          "pgfault 4821",
          "pgmajfault 12",
          "pgrefill 0",
          "pgactivate 81",
          "pgdeactivate 0",
          "pglazyfree 0",
          "pglazyfreed 0",
          "zswpin 0",
          "zswpout 0",
          "thp_fault_alloc 0",
          "thp_collapse_alloc 0",
          "")
          + "\n";

  @Benchmark
  public FlatKeyed memoryStat() {
    return CgroupParsers.parseFlatKeyed(MEMORY_STAT);
  }
}
