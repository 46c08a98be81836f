package org.dtheta.mnist;

import java.io.PrintWriter;
import java.nio.file.Files;
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
          + " network of the source notes on all 60000 images by full-batch gradient descent"
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

  @Option(names = "--steps", defaultValue = "20", paramLabel = "T",
      description = "Gradient-descent steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--save-every", defaultValue = "1", paramLabel = "S",
      description = "Save theta every S steps (default: ${DEFAULT-VALUE}).")
  int saveEvery;

  @Option(names = "--k", defaultValue = "60000", paramLabel = "N",
      description = "Training images (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--hidden", defaultValue = "50", paramLabel = "H",
      description = "Hidden units (default: ${DEFAULT-VALUE}).")
  int hidden;

  @Option(names = "--lr", defaultValue = "0.1", paramLabel = "ALPHA",
      description = "Learning rate (default: ${DEFAULT-VALUE}).")
  double lr;

  @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
      description = "Seed of the initial weights (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--jacobian", defaultValue = "full", paramLabel = "WHAT",
      description = "Which Jacobian to write at the last step: full (P x P, 12.6 GB for 784-50-10),"
          + " a block R,C such as W2,W2, or none (default: ${DEFAULT-VALUE}).")
  String jacobian;

  @Option(names = "--method", defaultValue = "STRUCTURED", paramLabel = "METHOD",
      description = "How the Jacobian is computed: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
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
    PrintWriter log = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    Files.createDirectories(out);
    Path run = out.resolve("run");
    Map<String, Path> outputs = new LinkedHashMap<>();

    stage(log, "MNIST");
    Path folder = data.folder(true, log);
    List<String> dataArgs = List.of("--data", folder.toString());

    stage(log, "training");
    int code = run(with(dataArgs, "train", "--k", k, "--hidden", hidden, "--steps", steps,
        "--save-every", saveEvery, "--lr", lr, "--seed", seed, "--out", run));
    if (code != 0) {
      return code;
    }
    outputs.put("trajectory (float64, rows = saved steps, P columns)", run.resolve(RunDir.TRAJECTORY));
    outputs.put("metrics per step", run.resolve(RunDir.METRICS));
    outputs.put("run metadata", run.resolve(RunDir.RUN));
    outputs.put("loss curve", run.resolve("loss.png"));
    outputs.put("accuracy curves", run.resolve("accuracy.png"));

    if (!jacobian.equalsIgnoreCase("none")) {
      stage(log, "update Jacobian at step " + steps);
      boolean full = jacobian.equalsIgnoreCase("full");
      Path npy = out.resolve(full ? "jacobian.npy"
          : "jacobian_" + jacobian.replace(',', '_') + ".npy");
      List<Object> args = new ArrayList<>(List.of("jacobian", "--run", run, "--step", steps,
          "--method", method, "--out", npy));
      if (!full) {
        args.addAll(List.of("--block", jacobian));
      }
      code = run(with(dataArgs, args.toArray()));
      if (code != 0) {
        return code;
      }
      outputs.put(full ? "Df at the last step (P x P float64)" : "Df block " + jacobian, npy);
      if (!full) {
        outputs.put("heat map of that block", JacobianCommand.siblingPng(npy));
      }
    }

    if (spectrumSteps > 0) {
      stage(log, "spectra of Hess L and Df");
      TrainConfig config = new RunDir(run).config();
      List<Integer> chosen = SpectrumCommand.evenlySpaced(config, spectrumSteps);
      String list = chosen.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("");
      code = run(with(dataArgs, "spectrum", "--run", run, "--steps", list, "--top", top,
          "--bottom", bottom));
      if (code != 0) {
        return code;
      }
      outputs.put("eigenvalues of Hess L and Df", run.resolve("spectrum.csv"));
      outputs.put("sharpness per step", run.resolve("sharpness.csv"));
      outputs.put("sharpness vs 2/alpha", run.resolve("sharpness.png"));
    }

    if (lyapunov > 0) {
      stage(log, "Lyapunov exponents");
      code = run(with(dataArgs, "lyapunov", "--run", run, "--m", lyapunov));
      if (code != 0) {
        return code;
      }
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

  private static void stage(PrintWriter log, String what) {
    log.println();
    log.println("== " + what);
    log.flush();
  }

  /** The command words plus the shared flags (data folder, quiet). */
  private List<String> with(List<String> dataArgs, Object... words) {
    List<String> args = new ArrayList<>();
    for (Object w : words) {
      args.add(w.toString());
    }
    args.addAll(dataArgs);
    if (quiet) {
      args.add("--quiet");
    }
    return args;
  }

  /** Runs one command of this tool with the demo's output streams. */
  private int run(List<String> args) {
    CommandLine cmd = MnistApp.commandLine();
    cmd.setOut(spec.commandLine().getOut());
    cmd.setErr(spec.commandLine().getErr());
    return cmd.execute(args.toArray(String[]::new));
  }
}
