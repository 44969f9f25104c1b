package io.containerdexporter.bench;

// Start one by hand (from the repository root; no `mvn install`):
//
//   mvn -B -q -pl exporter -am test-compile \
//     org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
//     -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/cp.txt
//   java -cp "exporter/target/test-classes:exporter/target/classes:$(cat /tmp/cp.txt)" \
//     io.containerdexporter.bench.SyntheticNode tasks=1000 layout=v1 dir=/tmp/node1000
//
// It prints one line "exporter args: --containerd.address=… --path.cgroupfs=… --path.procfs=…
// --path.sysfs=…" (also written to DIR/exporter.args) and serves until SIGTERM/SIGINT, then removes
// DIR and its socket. Then: java @image/jvm.options -jar exporter/target/containerd-exporter.jar
// $(cat /tmp/node1000/exporter.args) --web.listen-address=127.0.0.1:9338

import io.containerdexporter.containerd.api.services.snapshots.v1.Kind;
import io.containerdexporter.containerd.api.types.task.Status;
import io.containerdexporter.fake.FakeContainerd;
import io.containerdexporter.fake.FakeImage;
import io.containerdexporter.fake.FakeNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * A Kubernetes node of N tasks for benchmarks, with no kernel, kubelet or containerd of its own: a
 * {@link FakeContainerd} holding what a kubelet's containerd holds in namespace {@code k8s.io}, and
 * on disk the cgroupfs, procfs and sysfs the exporter would read on such a node ({@code
 * --path.cgroupfs}, {@code --path.procfs}, {@code --path.sysfs}).
 *
 * <p>The node: N tasks in N/2 pods of two containers each, a pause sandbox and one app container
 * (CRI labels and annotations as containerd 1.7/2.x set them, systemd cgroup driver, three in four
 * pods Burstable with CPU and memory limits, one in four BestEffort); N/16 app images (at least 3)
 * plus the pause image, each under the three names CRI gives an image (tag, repo digest, config
 * id), with their blobs; an overlayfs snapshot chain per image and an active snapshot per
 * container; one runc shim per pod; containerd itself as pid 1, with one veth per pod on the host.
 * Each task has its cgroup (see {@link SyntheticCgroupfs} for the v1 and v2 layouts), its
 * processes' {@code stat}, {@code status}, {@code limits}, {@code fd/}, {@code ns/net}, and each
 * sandbox its pod's {@code net/dev} (lo and eth0). {@link #advance()} moves the counters on, as
 * time does on a real node, so a renderer that caches unchanged output cannot look better than it
 * would there.
 *
 * <p>What a scrape of it shows per task is what a scrape of a real node shows: see
 * docs/performance.md, "The synthetic node", for both figures.
 */
public final class SyntheticNode implements AutoCloseable {

  /** The cgroup layout of the node. */
  public enum Layout {
    /** cgroup v1 as on this project's build host ("hybrid", separate cpu and cpuacct mounts). */
    V1,
    /** The unified hierarchy, as most production nodes. */
    V2
  }

  static final String NAMESPACE = "k8s.io";
  private static final String PAUSE_IMAGE = "registry.k8s.io/pause:3.10";

  private final int tasks;
  private final Layout layout;
  private final Path dir;
  private final FakeContainerd containerd = new FakeContainerd();
  private final SyntheticCgroupfs cgroupfs;
  private final SyntheticProcfs procfs;
  private final List<Task> all = new ArrayList<>();
  private int tick;

  /** One task as written: its cgroup path, its init pid, whether it is a sandbox, its scale. */
  private record Task(String cgroupPath, long pid, boolean sandbox, double factor) {}

  private SyntheticNode(int tasks, Layout layout, Path dir) {
    this.tasks = tasks;
    this.layout = layout;
    this.dir = dir;
    this.cgroupfs =
        new SyntheticCgroupfs(
            dir.resolve("cgroupfs"),
            layout == Layout.V1 ? SyntheticCgroupfs.Layout.V1 : SyntheticCgroupfs.Layout.V2);
    this.procfs = new SyntheticProcfs(dir.resolve("proc"));
  }

  /** Writes the node's files under {@code dir} (created if missing) and starts its containerd. */
  public static SyntheticNode start(int tasks, Layout layout, Path dir) throws IOException {
    Files.createDirectories(dir);
    SyntheticNode node = new SyntheticNode(tasks, layout, dir);
    try {
      // Listening first: the shims' command lines name the socket. Nothing dials it before start()
      // returns.
      node.containerd.start();
      node.build();
      Files.writeString(dir.resolve("exporter.args"), String.join(" ", node.exporterArgs()) + "\n");
      return node;
    } catch (IOException | RuntimeException e) {
      node.close();
      throw e;
    }
  }

  public int tasks() {
    return tasks;
  }

  public Layout layout() {
    return layout;
  }

  public Path socket() {
    return containerd.socket();
  }

  /** The flags that point an exporter at this node. */
  public List<String> exporterArgs() {
    return List.of(
        "--containerd.address=" + socket(),
        "--path.cgroupfs=" + dir.resolve("cgroupfs"),
        "--path.procfs=" + dir.resolve("proc"),
        "--path.sysfs=" + dir.resolve("sys"));
  }

  /** Moves every task's CPU, memory and network counters on by a little. */
  public synchronized void advance() {
    tick++;
    double growth = 1 + tick / 500.0;
    for (Task t : all) {
      cgroupfs.advance(t.cgroupPath(), List.of(t.pid()), t.factor() * growth);
      if (t.sandbox()) {
        procfs.writeNetDev(t.pid(), List.of("eth0"), t.factor() * growth);
      }
    }
  }

  private void build() throws IOException {
    cgroupfs.writeRoot();
    procfs.writeHost();
    copySysfs(dir.resolve("sys"));
    containerd.namespace("default"); // containerd always has it; empty on a kubelet node
    FakeNamespace ns = containerd.namespace(NAMESPACE);
    Path snapshotterRoot = dir.resolve("containerd/io.containerd.snapshotter.v1.overlayfs");
    Files.createDirectories(snapshotterRoot);
    containerd.snapshotter("overlayfs", snapshotterRoot.toString());
    List<String> appImages = new ArrayList<>();
    int images = Math.max(3, tasks / 16);
    for (int i = 0; i < images; i++) {
      appImages.add(image(ns, "registry.example/team-" + (i % 7) + "/app-" + i + ":1." + i, 5));
    }
    String pause = image(ns, PAUSE_IMAGE, 1);
    int pods = (tasks + 1) / 2;
    List<String> hostInterfaces = new ArrayList<>(List.of("eth0"));
    for (int pod = 0; pod < pods; pod++) {
      hostInterfaces.add("veth" + hex("veth" + pod).substring(0, 8));
      addPod(ns, pod, pause, appImages.get(pod % appImages.size()), tasks - 2 * pod >= 2);
    }
    // containerd: pid 1 here, which is what the fake's Introspection.Server reports.
    procfs.writeProcess(
        1,
        "containerd",
        List.of("/usr/bin/containerd"),
        61_440,
        42,
        90_000,
        1_000,
        64,
        24,
        SyntheticProcfs.HOST_NETNS);
    procfs.writeNetDev(1, hostInterfaces, 40);
  }

  private void addPod(FakeNamespace ns, int pod, String pause, String appImage, boolean withApp) {
    String podName =
        "app-"
            + pod
            + "-"
            + hex("rs" + pod).substring(0, 10)
            + "-"
            + hex("p" + pod).substring(0, 5);
    String podNamespace = "team-" + (pod % 20);
    String uid = UUID.nameUUIDFromBytes(("pod" + pod).getBytes(StandardCharsets.UTF_8)).toString();
    boolean bestEffort = pod % 4 == 3;
    String qos = bestEffort ? "besteffort" : "burstable";
    String slice = "kubepods-" + qos + "-pod" + uid.replace('-', '_') + ".slice";
    String sliceDir = "/kubepods.slice/kubepods-" + qos + ".slice/" + slice;
    String sandboxId = hex("sandbox" + pod);
    long sandboxPid = 100_000 + 2L * pod;
    long netns = 4026532000L + pod;

    Map<String, String> podLabels = new LinkedHashMap<>();
    podLabels.put("io.kubernetes.pod.name", podName);
    podLabels.put("io.kubernetes.pod.namespace", podNamespace);
    podLabels.put("io.kubernetes.pod.uid", uid);
    Map<String, String> sandboxLabels = new LinkedHashMap<>(podLabels);
    sandboxLabels.put("io.cri-containerd.kind", "sandbox");
    sandboxLabels.put("app", "app-" + pod);
    sandboxLabels.put("pod-template-hash", hex("rs" + pod).substring(0, 10));
    Map<String, String> sandboxNotes = new LinkedHashMap<>();
    sandboxNotes.put("io.kubernetes.cri.container-type", "sandbox");
    sandboxNotes.put("io.kubernetes.cri.sandbox-id", sandboxId);
    sandboxNotes.put("io.kubernetes.cri.sandbox-name", podName);
    sandboxNotes.put("io.kubernetes.cri.sandbox-namespace", podNamespace);
    sandboxNotes.put("io.kubernetes.cri.sandbox-uid", uid);
    sandboxNotes.put("io.kubernetes.cri.sandbox-cpu-period", "100000");
    sandboxNotes.put(
        "io.kubernetes.cri.sandbox-log-directory",
        "/var/log/pods/" + podNamespace + "_" + podName + "_" + uid);
    ns.container(
        sandboxId,
        pause,
        sandboxLabels,
        OciSpecJson.of(
            List.of("/pause"),
            slice + ":cri-containerd:" + sandboxId,
            sandboxNotes,
            2,
            0,
            0,
            null));
    ns.task(sandboxId, (int) sandboxPid, Status.RUNNING);
    ns.snapshot("overlayfs", sandboxId, committedTop(pause), Kind.ACTIVE, 4096);
    writeTask(
        sliceDir + "/cri-containerd-" + sandboxId + ".scope",
        sandboxPid,
        true,
        pod,
        "pause",
        1,
        3,
        0,
        netns);
    procfs.writeNetDev(sandboxPid, List.of("eth0"), factor(2 * pod));

    if (withApp) {
      String id = hex("container" + pod);
      long pid = sandboxPid + 1;
      Map<String, String> labels = new LinkedHashMap<>(podLabels);
      labels.put("io.cri-containerd.kind", "container");
      labels.put("io.kubernetes.container.name", "app");
      Map<String, String> notes = new LinkedHashMap<>();
      notes.put("io.kubernetes.cri.container-name", "app");
      notes.put("io.kubernetes.cri.container-type", "container");
      notes.put("io.kubernetes.cri.image-name", appImage);
      notes.put("io.kubernetes.cri.sandbox-id", sandboxId);
      notes.put("io.kubernetes.cri.sandbox-name", podName);
      notes.put("io.kubernetes.cri.sandbox-namespace", podNamespace);
      notes.put("io.kubernetes.cri.sandbox-uid", uid);
      ns.container(
          id,
          appImage,
          labels,
          OciSpecJson.of(
              List.of("/app", "--port=8080"),
              slice + ":cri-containerd:" + id,
              notes,
              bestEffort ? 2 : 256,
              bestEffort ? 0 : 50_000,
              bestEffort ? 0 : 268_435_456L,
              "/proc/" + sandboxPid + "/ns/net"));
      ns.task(id, (int) pid, Status.RUNNING);
      ns.snapshot(
          "overlayfs", id, committedTop(appImage), Kind.ACTIVE, 1_048_576L * (1 + pod % 40));
      writeTask(
          sliceDir + "/cri-containerd-" + id + ".scope", pid, false, pod, "app", 8, 9, 2, netns);
    }
    long shimPid = 400_000L + pod;
    procfs.writeProcess(
        shimPid,
        "containerd-shim",
        List.of(
            "/usr/bin/containerd-shim-runc-v2",
            "-namespace",
            NAMESPACE,
            "-id",
            sandboxId,
            "-address",
            socket().toString()),
        12_800,
        11,
        300,
        5_000,
        14,
        4,
        SyntheticProcfs.HOST_NETNS);
  }

  private void writeTask(
      String cgroupPath,
      long pid,
      boolean sandbox,
      int pod,
      String comm,
      int threads,
      int fds,
      int sockets,
      long netns) {
    double factor = factor(2 * pod + (sandbox ? 0 : 1));
    cgroupfs.writeTask(cgroupPath, List.of(pid), sandbox ? factor / 20 : factor);
    procfs.writeProcess(
        pid,
        comm,
        List.of("/" + comm),
        sandbox ? 1_024 : 48_000,
        threads,
        100,
        5_100,
        fds,
        sockets,
        netns);
    all.add(new Task(cgroupPath, pid, sandbox, sandbox ? factor / 20 : factor));
  }

  /** Each task's own scale, 0.5 to 1.5, the same on every run. */
  private static double factor(int task) {
    return 0.5 + (Math.floorMod(hex("f" + task).hashCode(), 1000) / 1000.0);
  }

  private final Map<String, String> topLayers = new LinkedHashMap<>();

  private String committedTop(String image) {
    return topLayers.get(image);
  }

  /**
   * An image under CRI's three names, its blobs, and its layers as a committed snapshot chain;
   * returns its tag name.
   */
  private String image(FakeNamespace ns, String name, int layers) {
    int[] sizes = new int[layers];
    for (int i = 0; i < layers; i++) {
      sizes[i] = 2048 + 512 * i; // real layers are megabytes; only their descriptors are read
    }
    FakeImage img = FakeImage.singleManifest(name, sizes);
    String repo = name.substring(0, name.lastIndexOf(':'));
    ns.image(name, img);
    ns.image(repo + "@" + img.target().digest(), img);
    ns.image(img.blobs().get(1).digest(), img);
    String parent = "";
    for (int i = 0; i < layers; i++) {
      String key =
          NAMESPACE + "/" + (topLayers.size() * 8 + i + 1) + "/sha256:" + hex(name + "/layer" + i);
      ns.snapshot("overlayfs", key, parent, Kind.COMMITTED, 2_000_000L + 1_000_000L * i);
      parent = key;
    }
    topLayers.put(name, parent);
    return name;
  }

  private static void copySysfs(Path sys) {
    SyntheticFiles.files("/cgroupfs/sysfs/dev/block/8:0"); // fails early if the fixture moved
    for (String device : List.of("8:0", "8:1", "253:0", "254:0", "259:0", "7:9")) {
      SyntheticFiles.write(
          sys.resolve("dev/block/" + device + "/uevent"),
          SyntheticFiles.text("/cgroupfs/sysfs/dev/block/" + device + "/uevent"));
    }
  }

  static String hex(String seed) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(seed.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops the containerd and removes every file of the node. */
  @Override
  public void close() {
    containerd.close();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("removing " + dir, e);
    }
  }

  /**
   * {@code tasks=N} (default 1000), {@code layout=v1|v2} (v1), {@code dir=PATH} (a new temp dir),
   * {@code advance=SECONDS} (5; how often the counters move, 0: never).
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts =
        new LinkedHashMap<>(Map.of("tasks", "1000", "layout", "v1", "advance", "5"));
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq <= 0
          || !Stream.of("tasks", "layout", "dir", "advance")
              .toList()
              .contains(a.substring(0, eq))) {
        System.err.println(
            "unknown argument '" + a + "': use tasks=N layout=v1|v2 dir=PATH advance=SECONDS");
        System.exit(2);
      }
      opts.put(a.substring(0, eq), a.substring(eq + 1));
    }
    Path dir =
        opts.containsKey("dir")
            ? Path.of(opts.get("dir"))
            : Files.createTempDirectory("synthetic-node");
    SyntheticNode node =
        start(
            Integer.parseInt(opts.get("tasks")),
            Layout.valueOf(opts.get("layout").toUpperCase()),
            dir);
    Runtime.getRuntime().addShutdownHook(new Thread(node::close, "synthetic-node-shutdown"));
    System.out.println("exporter args: " + String.join(" ", node.exporterArgs()));
    System.out.flush();
    long every = Long.parseLong(opts.get("advance")) * 1000;
    while (true) {
      Thread.sleep(every > 0 ? every : Long.MAX_VALUE);
      node.advance();
    }
  }
}
