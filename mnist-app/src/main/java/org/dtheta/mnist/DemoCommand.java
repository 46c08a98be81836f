package org.dtheta.mnist;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dtheta.nn.JacobianMethod;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtheta demo}: the headline experiment end to end, by running the other commands
 * exactly as a user would (so the demo exercises the same code paths and prints the same
 * messages).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The headline experiment end to end: fetch MNIST (if not cached), train the 784-50-10"
          + " network (or another: --hidden 32,16 --activation tanh) of the source notes on all 60000 images by full-batch gradient descent"
          + " (alpha = 0.1), compute the whole update Jacobian Df = I - alpha*Hess L at the last"
          + " step as .npy, the spectra of Hess L and Df along the run, the plots, and print where"
          + " everything is.",
      "Every stage is also its own command (data fetch, train, jacobian, spectrum, lyapunov);"
          + " rerunning the demo reuses a completed training run."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--out", defaultValue = "dtheta-demo", paramLabel = "DIR",
      description = "Output folder (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--steps", defaultValue = "50", paramLabel = "T",
      description = "Gradient-descent steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Mixin NetworkOptions network;

  /** Rows of the whole Df checked against Hessian-vector products (one sweep, a few seconds). */
  private static final int VERIFIED_ROWS = 4;

  @Option(names = "--jacobian", defaultValue = "full", paramLabel = "WHAT",
      description = "Which Jacobian to write at the last step: full (P x P, 12.6 GB for 784-50-10),"
          + " a block R,C such as W2,W2, or none (default: ${DEFAULT-VALUE}).")
  String jacobian;

  @Option(names = "--method", paramLabel = "METHOD",
      description = "How the Jacobian is computed: ${COMPLETION-CANDIDATES} (default: the fastest"
          + " exact method for the network, as jacobian's).")
  JacobianMethod method;

  @Option(names = "--spectrum-steps", defaultValue = "3", paramLabel = "N",
      description = "Saved steps (evenly spaced, first to last) at which spectra are computed;"
          + " 0 for none (default: ${DEFAULT-VALUE}).")
  int spectrumSteps;

  @Option(names = "--top", defaultValue = "3", paramLabel = "K",
      description = "Largest eigenvalues per step (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--bottom", defaultValue = "3", paramLabel = "K",
      description = "Smallest eigenvalues per step (default: ${DEFAULT-VALUE}).")
  int bottom;

  @Option(names = "--lyapunov", defaultValue = "0", paramLabel = "M",
      description = "Leading Lyapunov exponents along the run; 0 for none (default: ${DEFAULT-VALUE}).")
  int lyapunov;

  @Option(names = "--quiet", description = "No progress bars.")
  boolean quiet;

  @Mixin DataOptions data;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    try {
      return runStages();
    } catch (StageFailed e) {
      return e.exitCode;
    }
  }

  private int runStages() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    // The stages' own checks come too late for the demo's: training would run first.
    Architecture arch = network.architecture();
    if (!jacobian.equalsIgnoreCase("none") && !jacobian.equalsIgnoreCase("full")) {
      BlockName.require(JacobianCommand.parseBlock(jacobian, "--jacobian"), arch, "--jacobian",
          jacobian);
    }
    if (method == JacobianMethod.STRUCTURED && !arch.twoLayer() && !jacobian.equalsIgnoreCase("none")) {
      throw new IllegalArgumentException("--method structured works for one hidden layer only"
          + " (the 784-H-10 sigmoid net), not the " + arch.describe() + " net; use --method hvp"
          + " (or leave --method out)");
    }
    long t0 = System.nanoTime();
    OutputGuard.createFolder(out, "--out");
    Path run = out.resolve("run");
    Map<String, Path> outputs = new LinkedHashMap<>();

    log.println("== MNIST");
    Path folder = data.folder(true, log);
    log.println("MNIST in " + folder.toAbsolutePath());
    List<String> dataArgs = List.of("--data", folder.toString());

    List<Object> trainArgs = new ArrayList<>(List.of("train", "--steps", steps, "--out", run));
    trainArgs.addAll(network.asArgs());
    stage(log, "training", dataArgs, trainArgs);
    outputs.put("trajectory (float64, rows = saved steps, P columns)", run.resolve(RunDir.TRAJECTORY));
    outputs.put("metrics per step", run.resolve(RunDir.METRICS));
    outputs.put("run metadata", run.resolve(RunDir.RUN));
    outputs.put("loss curve", run.resolve("loss.png"));
    outputs.put("accuracy curves", run.resolve("accuracy.png"));

    if (!jacobian.equalsIgnoreCase("none")) {
      boolean full = jacobian.equalsIgnoreCase("full");
      Path npy = out.resolve(full ? "jacobian.npy"
          : "jacobian_" + jacobian.replace(',', '_') + ".npy");
      List<Object> args = new ArrayList<>(List.of("jacobian", "--run", run, "--step", steps,
          "--out", npy));
      if (method != null) {
        args.addAll(List.of("--method", method));
      }
      if (full) {
        args.addAll(List.of("--verify", VERIFIED_ROWS));
      } else {
        args.addAll(List.of("--block", jacobian));
      }
      stage(log, "update Jacobian at step " + steps, dataArgs, args);
      outputs.put(full ? "Df at the last step (P x P float64)" : "Df block " + jacobian, npy);
      if (!full) {
        outputs.put("heat map of that block", JacobianCommand.siblingPng(npy));
      }
    }

    if (spectrumSteps > 0) {
      TrainConfig config = new RunDir(run).config();
      List<Integer> chosen = SpectrumCommand.evenlySpaced(config, spectrumSteps);
      String list = chosen.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("");
      stage(log, "spectra of Hess L and Df", dataArgs,
          List.of("spectrum", "--run", run, "--steps", list, "--top", top, "--bottom", bottom));
      outputs.put("eigenvalues of Hess L and Df", run.resolve("spectrum.csv"));
      outputs.put("sharpness per step", run.resolve("sharpness.csv"));
      outputs.put("sharpness vs 2/alpha", run.resolve("sharpness.png"));
    }

    if (lyapunov > 0) {
      stage(log, "Lyapunov exponents", dataArgs, List.of("lyapunov", "--run", run, "--m", lyapunov));
      outputs.put("Lyapunov exponents", run.resolve("lyapunov.csv"));
      outputs.put("their convergence", run.resolve("lyapunov.png"));
    }

    log.printf(Locale.ROOT, "%n== Done in %.1f s. Outputs:%n", (System.nanoTime() - t0) * 1e-9);
    for (Map.Entry<String, Path> e : outputs.entrySet()) {
      log.printf("  %-52s %s%n", e.getKey(), e.getValue().toAbsolutePath());
    }
    log.println("Read the .npy files with numpy.load(path, mmap_mode='r').");
    log.flush();
    return 0;
  }

  /** A stage that failed; its command has already printed why. */
  private static final class StageFailed extends Exception {
    private static final long serialVersionUID = 1L;
    final int exitCode;

    StageFailed(int exitCode) {
      super(null, null, false, false);
      this.exitCode = exitCode;
    }
  }

  /**
   * Runs one command of this tool (its words, then the shared data folder and quiet flag) with
   * the demo's output streams, under a heading.
   */
  private void stage(PrintWriter log, String title, List<String> dataArgs, List<?> words)
      throws StageFailed {
    log.println();
    log.println("== " + title);
    log.flush();
    List<String> args = new ArrayList<>();
    for (Object w : words) {
      args.add(w.toString());
    }
    args.addAll(dataArgs);
    if (quiet) {
      args.add("--quiet");
    }
    CommandLine cmd = MnistApp.commandLine();
    cmd.setOut(spec.commandLine().getOut());
    cmd.setErr(spec.commandLine().getErr());
    int code = cmd.execute(args.toArray(String[]::new));
    if (code != 0) {
      throw new StageFailed(code);
    }
  }
}
