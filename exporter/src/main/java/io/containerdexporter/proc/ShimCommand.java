package io.containerdexporter.proc;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A shim recognised by its command line: containerd starts runtime {@code io.containerd.NAME.vN} as
 * the binary {@code containerd-shim-NAME-vN} with {@code -namespace NS -id ID -address SOCKET} (the
 * shim v2 protocol; runc, kata, runsc and others all follow it).
 *
 * @param runtime containerd's runtime name, e.g. {@code io.containerd.runc.v2}
 * @param id the task (or, for CRI's grouped shims, the pod sandbox) it was started for
 * @param address the containerd socket it reports to: tells this containerd's shims from another's
 */
public record ShimCommand(String runtime, String namespace, String id, String address) {

  private static final Pattern BINARY = Pattern.compile("containerd-shim-(.+)-(v\\d+)");

  /** The shim that {@code args} (argv, argv[0] first) start; empty for any other process. */
  public static Optional<ShimCommand> parse(List<String> args) {
    if (args.isEmpty()) {
      return Optional.empty();
    }
    String argv0 = args.get(0);
    Matcher m = BINARY.matcher(argv0.substring(argv0.lastIndexOf('/') + 1));
    if (!m.matches()) {
      return Optional.empty();
    }
    String last = args.get(args.size() - 1);
    if (last.equals("start") || last.equals("delete")) {
      return Optional.empty(); // containerd's short-lived helper runs of the binary, not a shim
    }
    String namespace = flag(args, "-namespace");
    String id = flag(args, "-id");
    String address = flag(args, "-address");
    if (namespace == null || id == null || address == null) {
      return Optional.empty();
    }
    String runtime = "io.containerd." + m.group(1).replace('-', '.') + "." + m.group(2);
    return Optional.of(new ShimCommand(runtime, namespace, id, address));
  }

  private static String flag(List<String> args, String name) {
    for (int i = 1; i < args.size() - 1; i++) {
      if (args.get(i).equals(name)) {
        return args.get(i + 1);
      }
    }
    return null;
  }
}
