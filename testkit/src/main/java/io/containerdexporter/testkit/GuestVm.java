package io.containerdexporter.testkit;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A QEMU guest booted from a {@link GuestImage}: its own kernel with a pure cgroup v2 hierarchy, a
 * 9p share with the host, and QEMU's user-mode network whose only openings are forwards from
 * 127.0.0.1 to guest ports. The disk is opened with {@code snapshot=on}, so every boot starts from
 * the same image and leaves nothing behind.
 *
 * <p>Software emulation (TCG) by default: this machine's /dev/kvm is a PVM virtualizer that stock
 * kernels crash under. {@code GUEST_ACCEL=kvm} uses KVM where it works.
 */
public final class GuestVm implements AutoCloseable {
  private final Process qemu;
  private final Path share;
  private final Path console;
  private final Map<Integer, Integer> hostPorts;

  private GuestVm(Process qemu, Path share, Path console, Map<Integer, Integer> hostPorts) {
    this.qemu = qemu;
    this.share = share;
    this.console = console;
    this.hostPorts = hostPorts;
  }

  /**
   * Boots the guest; {@code share} appears at /share inside, where guest-init runs
   * /share/guest-main.sh.
   */
  public static GuestVm boot(GuestImage image, Path share, List<Integer> guestPorts) {
    Map<Integer, Integer> hostPorts = new LinkedHashMap<>();
    StringBuilder nic = new StringBuilder("user,model=virtio-net-pci");
    for (int guestPort : guestPorts) {
      int hostPort = freeLoopbackPort();
      hostPorts.put(guestPort, hostPort);
      nic.append(",hostfwd=tcp:127.0.0.1:").append(hostPort).append("-:").append(guestPort);
    }
    Path console = share.resolve("console.log");
    boolean kvm = "kvm".equals(System.getenv("GUEST_ACCEL"));
    List<String> command =
        new ArrayList<>(
            List.of(
                "qemu-system-x86_64",
                "-accel",
                // One host thread for both vCPUs. With multi-threaded TCG the guest kernel
                // oopsed now and then in the scheduler (an int3 in enqueue_task_fair in a full
                // matrix run, a fault in pick_task_fair in a fresh-clone run): the kernel patches
                // its own code live (static keys, static calls: int3 first, then the new bytes,
                // synchronised by IPIs), and a vCPU on another host thread could still run the old
                // translation. Serialised vCPUs see each patch at once; the 2-core host gained
                // little from two emulation threads beside the host ITs anyway.
                kvm ? "kvm" : "tcg,thread=single",
                "-cpu",
                kvm ? "host" : "max",
                "-smp",
                "2",
                "-m",
                "2048",
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-serial",
                "file:" + console,
                "-kernel",
                image.kernel().toString(),
                "-initrd",
                image.initrd().toString(),
                "-append", // net.ifnames=0: the initrd's udev would rename eth0, which guest-init
                // configures.
                "root=/dev/vda rw console=ttyS0 init=/sbin/guest-init quiet panic=-1 net.ifnames=0",
                "-no-reboot",
                "-drive",
                "file=" + image.rootfs() + ",if=virtio,format=raw,snapshot=on",
                "-virtfs",
                "local,path=" + share + ",mount_tag=share,security_model=passthrough,id=share",
                "-nic",
                nic.toString()));
    try {
      Process qemu =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(share.resolve("qemu.log").toFile()))
              .start();
      return new GuestVm(qemu, share, console, hostPorts);
    } catch (IOException e) {
      throw new SandboxUnavailableException(
          "cannot start qemu-system-x86_64 (apt-get install qemu-system-x86): " + e.getMessage());
    }
  }

  /**
   * Below Linux's ephemeral range (32768–60999), which every {@code bind(0)} of the ITs running
   * beside the guest draws from: a port probed free here cannot be handed to one of them before
   * QEMU binds it.
   */
  private static final int FORWARD_PORTS_FROM = 20_000;

  private static final int FORWARD_PORTS_COUNT = 10_000;

  private static int freeLoopbackPort() {
    int start = ThreadLocalRandom.current().nextInt(FORWARD_PORTS_COUNT);
    for (int i = 0; i < FORWARD_PORTS_COUNT; i++) {
      int port = FORWARD_PORTS_FROM + (start + i) % FORWARD_PORTS_COUNT;
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return probe.getLocalPort();
      } catch (IOException taken) {
        // Someone else's: try the next one.
      }
    }
    throw new SandboxUnavailableException(
        "no free loopback port in " + FORWARD_PORTS_FROM + "+" + FORWARD_PORTS_COUNT);
  }

  /** The 127.0.0.1 port forwarded to {@code guestPort}. */
  public int hostPort(int guestPort) {
    Integer port = hostPorts.get(guestPort);
    if (port == null) {
      throw new IllegalArgumentException("guest port " + guestPort + " is not forwarded");
    }
    return port;
  }

  public Path share() {
    return share;
  }

  public boolean running() {
    return qemu.isAlive();
  }

  /** The guest's serial console (kernel messages, guest-init's lines). */
  public String consoleTail(int lines) {
    try {
      List<String> all = new String(Files.readAllBytes(console)).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "<no console log: " + e.getMessage() + ">";
    }
  }

  /** Powers the guest off (the disk snapshot is discarded with it). */
  @Override
  public void close() {
    qemu.destroy();
    try {
      if (!qemu.waitFor(10, TimeUnit.SECONDS)) {
        qemu.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      qemu.destroyForcibly();
    }
  }
}
