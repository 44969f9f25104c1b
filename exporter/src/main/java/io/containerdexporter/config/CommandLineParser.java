package io.containerdexporter.config;

import java.io.PrintWriter;
import picocli.CommandLine;
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
    Flags flags = new Flags();
    CommandLine cli = new CommandLine(flags);
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
      return new Run(flags.toConfig());
    } catch (ParameterException | IllegalArgumentException e) {
      err.println("containerd-exporter: error: " + oneLine(e.getMessage()) + " (see --help)");
      err.flush();
      return new Exit(EXIT_USAGE);
    }
  }

  private static String oneLine(String message) {
    return message == null ? "invalid command line" : message.strip().replaceAll("\\s*\\R\\s*", "; ");
  }
}
