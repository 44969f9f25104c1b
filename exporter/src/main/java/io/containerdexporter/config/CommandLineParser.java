package io.containerdexporter.config;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.INegatableOptionTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;

/**
 * Turns argv into a config or an exit code. A bad flag or value is one line on stderr and exit code
 * 2, never a usage dump or a stack trace: the line is what a person reading a CrashLoopBackOff log
 * needs. It names the flag, the value and what was expected ({@code --poll.interval=5: not a
 * duration; expected a number and a unit ...}).
 */
public final class CommandLineParser {

  public static final int EXIT_USAGE = 2;

  static final String SYNOPSIS = "containerd-exporter [FLAGS]";
  static final String DESCRIPTION =
      "Prometheus exporter for containerd: events, inventory and cgroup statistics of every task.";

  /** The switch for the exporter's own JVM families; process_* are exposed either way. */
  static final CollectorSwitch JVM_METRICS =
      new CollectorSwitch(
          "metrics.jvm",
          true,
          "The exporter's own jvm_* families (heap, GC, threads, classes, buffer pools: about 100 series); "
              + "process_* (CPU, resident memory, open fds) are exposed either way.");

  /**
   * Either a config to run with, or an exit code because the command line already said everything.
   */
  public sealed interface Outcome permits Run, Exit {}

  public record Run(ExporterConfig config) implements Outcome {}

  public record Exit(int code) implements Outcome {}

  private CommandLineParser() {}

  public static Outcome parse(String[] args, PrintWriter out, PrintWriter err) {
    return parse(args, List.of(), out, err);
  }

  /**
   * @param collectors the collectors that {@code --collector.NAME} / {@code --no-collector.NAME}
   *     switch, in the order {@code --help} lists them
   */
  public static Outcome parse(
      String[] args, List<CollectorSwitch> collectors, PrintWriter out, PrintWriter err) {
    Flags flags = new Flags();
    CommandLine cli = new CommandLine(flags);
    cli.setNegatableOptionTransformer(NO_PREFIX);
    addSwitch(cli, JVM_METRICS.name(), JVM_METRICS);
    for (CollectorSwitch c : collectors) {
      addSwitch(cli, "collector." + c.name(), c);
    }
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        out.print(HelpText.render(cli.getCommandSpec(), SYNOPSIS, DESCRIPTION));
        out.flush();
        return new Exit(0);
      }
      if (cli.isVersionHelpRequested()) {
        cli.printVersionHelp(out);
        out.flush();
        return new Exit(0);
      }
      Set<String> enabled = new LinkedHashSet<>();
      for (CollectorSwitch c : collectors) {
        if (switchedOn(args, "collector." + c.name(), c.enabledByDefault())) {
          enabled.add(c.name());
        }
      }
      return new Run(
          flags.toConfig(
              enabled, switchedOn(args, JVM_METRICS.name(), JVM_METRICS.enabledByDefault())));
    } catch (ParameterException | IllegalArgumentException e) {
      err.println("containerd-exporter: error: " + oneLine(message(e)) + " (see --help)");
      err.flush();
      return new Exit(EXIT_USAGE);
    }
  }

  /** {@code --[no-]NAME}, shown once in --help, with what to type to get the other state. */
  private static void addSwitch(CommandLine cli, String name, CollectorSwitch s) {
    String how =
        s.enabledByDefault()
            ? "Enabled by default; --no-" + name + " turns it off."
            : "Disabled by default; --" + name + " turns it on.";
    cli.getCommandSpec()
        .addOption(
            OptionSpec.builder("--" + name)
                .arity("0")
                .type(boolean.class)
                .negatable(true)
                .description(s.help() + " " + how)
                .build());
  }

  /**
   * Whether {@code --NAME} / {@code --no-NAME} leave the switch on. Read from the arguments rather
   * than picocli's value (which depends on the default): both forms at once contradict each other,
   * an error rather than a silent winner.
   */
  private static boolean switchedOn(String[] args, String name, boolean byDefault) {
    boolean on = List.of(args).contains("--" + name);
    boolean off = List.of(args).contains("--no-" + name);
    if (on && off) {
      throw new IllegalArgumentException(
          "--" + name + " and --no-" + name + " contradict each other");
    }
    return on || (byDefault && !off);
  }

  /** Every long flag --x negates as --no-x (picocli's default only does names without dots). */
  private static final INegatableOptionTransformer NO_PREFIX =
      new INegatableOptionTransformer() {
        @Override
        public String makeNegative(String optionName, CommandSpec cmd) {
          return optionName.startsWith("--no-")
              ? "--" + optionName.substring(5)
              : "--no-" + optionName.substring(2);
        }

        @Override
        public String makeSynopsis(String optionName, CommandSpec cmd) {
          return "--[no-]" + optionName.substring(2);
        }
      };

  /**
   * A bad value as {@code --flag=value: what is wrong}, with no Java type or exception name in it;
   * other parse errors (unknown flag, missing value) as picocli words them.
   */
  private static String message(Exception e) {
    if (e instanceof ParameterException p
        && p.getCause() instanceof TypeConversionException conversion
        && p.getArgSpec() instanceof OptionSpec option) {
      return option.longestName() + "=" + p.getValue() + ": " + conversion.getMessage();
    }
    return e.getMessage();
  }

  private static String oneLine(String message) {
    return message == null
        ? "invalid command line"
        : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
