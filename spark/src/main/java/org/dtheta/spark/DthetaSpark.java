package org.dtheta.spark;

import org.dtheta.mnist.MnistApp;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dtheta-spark}: the jobs of {@code dtheta} that outgrow one machine, as Apache Spark
 * tasks running the same code: {@code sweep} (a grid of training runs with their sharpness and
 * Lyapunov exponents) and {@code jacobians} (whole Df at several steps as a Zarr v2 group).
 * Embedded ({@code --master local[*]}) by default. Exit codes as {@code dtheta}: 0 success, 2 bad
 * input (found before Spark starts), 1 a failure (with a stack trace).
 */
@Command(
    name = "dtheta-spark",
    mixinStandardHelpOptions = true,
    version = "dtheta-spark (dtheta on Apache Spark)",
    sortOptions = false,
    description = {
      "dtheta's sweeps and whole-Df jobs as Apache Spark tasks (embedded local[*] by default, any"
          + " master URL with --master)."
    },
    subcommands = {SweepCommand.class, JacobiansCommand.class, CommandLine.HelpCommand.class})
public final class DthetaSpark {

  /** Exit code of bad input, as {@code dtheta}'s. */
  public static final int BAD_INPUT = CommandLine.ExitCode.USAGE;

  private DthetaSpark() {}

  /** Runs the tool and exits with its exit code. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /**
   * The configured command line: what {@link #main} runs and tests call in-process. Errors are
   * handled as {@code dtheta} handles them (its handler): bad input (files, values) one line and
   * exit 2, anything else a stack trace and exit 1.
   */
  public static CommandLine commandLine() {
    CommandLine dtheta = MnistApp.commandLine(); // also makes plots headless
    CommandLine cmd = new CommandLine(new DthetaSpark());
    cmd.setExecutionExceptionHandler(dtheta.getExecutionExceptionHandler());
    return cmd;
  }
}
