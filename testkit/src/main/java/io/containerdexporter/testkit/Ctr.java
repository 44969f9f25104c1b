package io.containerdexporter.testkit;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The {@code ctr} client bound to one sandbox's socket. Every call is time-boxed. */
final class Ctr {
  private static final String CONNECT_TIMEOUT = "5s";
  private final Path binary;
  private final Path socket;
  private final Duration timeout;

  Ctr(Path binary, Path socket, Duration timeout) {
    this.binary = binary;
    this.socket = socket;
    this.timeout = timeout;
  }

  /**
   * Runs {@code ctr -a SOCKET args...}; never throws for a non-zero exit (see {@link
   * CtrResult#orThrow()}).
   */
  CtrResult raw(String... args) {
    return raw(Arrays.asList(args), timeout);
  }

  CtrResult raw(List<String> args, Duration limit) {
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.add("--address");
    command.add(socket.toString());
    // Without it ctr waits forever for a daemon that is gone (e.g. SIGINTed while teardown runs).
    command.add("--connect-timeout");
    command.add(CONNECT_TIMEOUT);
    command.addAll(args);
    return Commands.run(command, limit);
  }

  CtrResult inNamespace(String namespace, String... args) {
    List<String> withNamespace = new ArrayList<>();
    withNamespace.add("--namespace");
    withNamespace.add(namespace);
    withNamespace.addAll(Arrays.asList(args));
    return raw(withNamespace, timeout);
  }

  /** Lines of a {@code -q} listing. */
  static List<String> lines(CtrResult result) {
    return result.stdout().lines().map(String::strip).filter(line -> !line.isEmpty()).toList();
  }
}
