package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code dtheta}: trains the MNIST network of the source notes by full-batch gradient descent and
 * computes the exact Jacobian {@code Df = I - alpha Hess L} of its steps, their spectra and
 * Lyapunov exponents. Exit codes: 0 success, 2 bad input (options, files, data), 1 a failure of
 * the tool itself (with a stack trace).
 */
@Command(
    name = "dtheta",
    mixinStandardHelpOptions = true,
    versionProvider = MnistApp.Version.class,
    sortOptions = false,
    description = {
      "Exact update Jacobians Df = I - alpha*Hess L of gradient descent on MNIST.",
      "Start with: dtheta demo"
    },
    subcommands = {
      DemoCommand.class,
      DataCommand.class,
      TrainCommand.class,
      JacobianCommand.class,
      SpectrumCommand.class,
      LyapunovCommand.class,
      SensitivityCommand.class,
      CommandLine.HelpCommand.class
    })
public final class MnistApp {

  /** Exit code of bad input: options, files, data (picocli uses the same for usage errors). */
  public static final int BAD_INPUT = CommandLine.ExitCode.USAGE;

  /** Exit code of a training run that diverged (loss or theta became NaN or infinite). */
  public static final int DIVERGED = 3;

  /** Runs the tool and exits with its exit code. */
  public static void main(String[] args) {
    try {
      System.exit(commandLine().execute(args));
    } catch (OutOfMemoryError e) {
      // Past the estimate made before work: say what to do rather than only the trace.
      System.err.println("dtheta: out of memory (" + e.getMessage() + "); give Java more heap"
          + " (DTHETA_JAVA_OPTS=-Xmx<size>) or lower --k, --hidden, --panel-rows or the"
          + " directions; a training run or whole-Df job resumes where it stopped");
      System.exit(CommandLine.ExitCode.SOFTWARE);
    }
  }

  /**
   * The configured command line (headless plots, exit codes for bad input): what {@link #main}
   * runs, and what tests call {@code execute} on in-process.
   */
  public static CommandLine commandLine() {
    System.setProperty("java.awt.headless", "true");
    CommandLine cmd = new CommandLine(new MnistApp());
    cmd.setExecutionExceptionHandler(MnistApp::handle);
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    return cmd;
  }

  /**
   * Bad input (unreadable, malformed or mismatched files; invalid values found while running)
   * becomes one line naming the problem and exit code 2; anything else is a bug: a stack trace
   * and exit code 1.
   */
  private static int handle(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    Throwable cause = e instanceof UncheckedIOException ? e.getCause() : e;
    if (cause instanceof IOException || cause instanceof IllegalArgumentException) {
      err.println(cmd.getCommandName() + ": error: " + describe(cause));
      err.flush();
      return BAD_INPUT;
    }
    err.println(cmd.getCommandName() + ": internal error (please report):");
    e.printStackTrace(err);
    err.flush();
    return CommandLine.ExitCode.SOFTWARE;
  }

  /** A file-system exception's parts in one readable line (its own message omits the reason). */
  static String describe(Throwable e) {
    if (e instanceof FileSystemException fs) {
      String reason =
          fs.getReason() != null
              ? fs.getReason()
              : e instanceof NoSuchFileException
                  ? "no such file or folder"
                  : e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
      return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + reason;
    }
    return e.getMessage() != null ? e.getMessage() : e.toString();
  }

  /** The tool's version, the JDK and the kernel implementation in use. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "dtheta " + RunInfo.toolVersion(),
        "JDK " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")",
        "kernels " + RunInfo.kernelName()
      };
    }
  }
}
