package io.containerdexporter.config;

import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * Turns argv into a config or an exit code. A bad flag or value is one line on stderr and exit code 2, never a usage
 * dump or a stack trace: the line is what a person reading a CrashLoopBackOff log needs.
 */
public final class CommandLineParser {

  public static final int EXIT_USAGE = 2;

  /** Either a config to run with, or an exit code because the command line already said everything. */
  public sealed interface Outcome permits Run, Exit {}

  public record Run(ExporterConfig config) implements Outcome {}

  public record Exit(int code) implements Outcome {}

  private CommandLineParser() {}

  public static Outcome parse(String[] args, PrintWriter out, PrintWriter err) {
    return parse(args, List.of(), out, err);
  }

  /**
   * @param collectors the collectors that {@code --collector.NAME} / {@code --no-collector.NAME} switch, in the order
   *     {@code --help} lists them
   */
  public static Outcome parse(String[] args, List<CollectorSwitch> collectors, PrintWriter out, PrintWriter err) {
    Flags flags = new Flags();
    CommandLine cli = new CommandLine(flags);
    for (CollectorSwitch c : collectors) {
      cli.getCommandSpec().addOption(OptionSpec.builder("--collector." + c.name())
          .arity("0")
          .type(boolean.class)
          .description(c.help() + " " + (c.enabledByDefault() ? "Enabled" : "Disabled")
              + " by default; --no-collector." + c.name() + " disables it.")
          .build());
      cli.getCommandSpec().addOption(OptionSpec.builder("--no-collector." + c.name())
          .arity("0")
          .type(boolean.class)
          .hidden(true)
          .build());
    }
    try {
      cli.parseArgs(args);
      if (cli.isUsageHelpRequested()) {
        cli.usage(out);
        out.flush();
        return new Exit(0);
      }
      if (cli.isVersionHelpRequested()) {
        cli.printVersionHelp(out);
        out.flush();
        return new Exit(0);
      }
      return new Run(flags.toConfig(enabledCollectors(cli, collectors)));
    } catch (ParameterException | IllegalArgumentException e) {
      err.println("containerd-exporter: error: " + oneLine(e.getMessage()) + " (see --help)");
      err.flush();
      return new Exit(EXIT_USAGE);
    }
  }

  private static Set<String> enabledCollectors(CommandLine cli, List<CollectorSwitch> collectors) {
    Set<String> enabled = new LinkedHashSet<>();
    for (CollectorSwitch c : collectors) {
      boolean on = cli.getParseResult().hasMatchedOption("--collector." + c.name());
      boolean off = cli.getParseResult().hasMatchedOption("--no-collector." + c.name());
      if (on && off) {
        throw new IllegalArgumentException(
            "--collector." + c.name() + " and --no-collector." + c.name() + " contradict each other");
      }
      if (on || (c.enabledByDefault() && !off)) {
        enabled.add(c.name());
      }
    }
    return enabled;
  }

  private static String oneLine(String message) {
    return message == null ? "invalid command line" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
