package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.mnist.data.MnistFetcher;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.spectral.SharpnessTracker;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dtheta train}: full-batch gradient descent, saving the trajectory. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Train the 784-H-10 sigmoid/softmax network of the source notes (or any depth:"
          + " --hidden 32,16 --activation tanh) on the first k MNIST training images by full-batch gradient descent, theta <- theta - alpha*grad L(theta).",
      "Writes to the --out folder: trajectory.npy (float64, (steps/save-every + 1) x P, row j ="
          + " theta at step j*save-every), metrics.csv (step,loss,train_accuracy,test_accuracy,"
          + "grad_norm,seconds; one row per step, at theta of that step), run.json (config, seed,"
          + " versions, JDK, kernels, timings), loss.png and accuracy.png.",
      "With --sharpness-every N also the sharpness (largest eigenvalue of the full-batch Hess L)"
          + " at steps 0, N, 2N, ... as a sharpness column of metrics.csv (before seconds; empty"
          + " between) and train_sharpness.png (against 2/alpha).",
      "Interrupted runs resume: run the same command again and it continues from the last saved"
          + " step, giving exactly the numbers of an uninterrupted run."
    })
final class TrainCommand implements Callable<Integer> {

  @Option(names = "--steps", defaultValue = "100", paramLabel = "T",
      description = "Gradient-descent steps (default: ${DEFAULT-VALUE}).")
  int steps;

  @Mixin NetworkOptions network;

  // 0.1 rather than the 0.01 of the reference implementations: from 0.01 the sigmoid net sits on a
  // plateau (loss 2.2996 after 20 steps at alpha 0.1), from 0.1 it learns within tens of steps.
  @Option(names = "--init-std", defaultValue = "0.1", paramLabel = "SIGMA",
      description = "Initial weights ~ N(0, SIGMA^2), biases 0 (default: ${DEFAULT-VALUE};"
          + " the reference implementations' 0.01 starts on a long plateau).")
  double initStd;

  @Option(names = "--init", paramLabel = "FILE.npy",
      description = "Start from these parameters instead (float64, shape (P,) in the order W1, b1,"
          + " W2, b2, ...; P = 785*H + 10*(H + 1) for one hidden layer). Default: seeded random weights.")
  Path init;

  @Option(names = "--sharpness-every", paramLabel = "N",
      description = "Measure the sharpness (largest eigenvalue of Hess L, full batch, Lanczos"
          + " warm-started from the previous top eigenvector) every N steps and at step 0."
          + " Default: none.")
  Integer sharpnessEvery;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Output folder (created if missing).")
  Path out;

  @Option(names = "--quiet", description = "No progress bar.")
  boolean quiet;

  @Option(names = "--stop-after", hidden = true, paramLabel = "N",
      description = "Stop as if interrupted after N steps (tests of resumption).")
  Integer stopAfter;

  @Mixin DataOptions data;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    if (init != null && !Files.isRegularFile(init)) {
      throw new IllegalArgumentException("--init " + init + " is not a file; give the .npy file of"
          + " the initial parameters");
    }
    TrainConfig config = config();
    long sharpnessBytes = config.sharpnessEvery() == null ? 0 : MemoryCheck.lanczos(config.k(),
        config.architecture().hiddenSum(), config.parameters(), Training.SHARPNESS_MAX_KRYLOV,
        SharpnessTracker.BLOCK_SIZE);
    MemoryCheck.require(MemoryCheck.model(config.k(), config.architecture().hidden()) + sharpnessBytes,
        "training the " + config.architecture().describe() + " net on " + config.k() + " images"
            + (sharpnessBytes > 0 ? " with sharpness measurements" : ""), "--k or --hidden");
    if (init != null) {
      readInit(init, config); // its length and values, before any work
    }
    OutputGuard.createFolder(out, "--out");
    Path folder = data.folder(false, log);
    RunDir run = new RunDir(out);
    OutputGuard guard = OutputGuard.of(spec).input("--init", init);
    for (Path file : run.outputs()) {
      guard.output("--out", file);
    }
    try (OutputGuard claimed = guard.claim()) {
      Training.Outcome outcome = train(config, folder, log);
      return outcome == Training.Outcome.DIVERGED ? MnistApp.DIVERGED : 0;
    }
  }

  /** The parameters of {@code --init}: a finite vector of the network's length. */
  static double[] readInit(Path file, TrainConfig config) throws IOException {
    return Npy.readVector(file, config.parameters(),
        "--init (the initial parameters of the " + config.architecture().describe()
            + " network, P = " + config.parameters() + ")");
  }

  TrainConfig config() throws IOException {
    String initSha = init == null ? null : MnistFetcher.sha256(init);
    Architecture arch = network.architecture();
    return new TrainConfig(network.k, arch.hidden(), arch.activationName(), steps, network.lr, network.seed, initStd,
        network.saveEvery,
        init == null ? null : init.toAbsolutePath().toString(), initSha, sharpnessEvery);
  }

  /** Loads the data and trains into {@code --out}; prints what was written. */
  Training.Outcome train(TrainConfig config, Path dataFolder, PrintWriter log) throws Exception {
    long t0 = System.nanoTime();
    Mnist mnist;
    try (JitWarmup warmup = JitWarmup.start(config.architecture())) {
      mnist = Mnist.load(dataFolder, config.k());
    }
    log.printf("Loaded MNIST from %s in %.1f s: %d training images (of the first k), %d test images%n",
        dataFolder, (System.nanoTime() - t0) * 1e-9, mnist.train().k(), mnist.test().k());
    log.printf("Training %s (P = %d) for %d steps, alpha = %s, kernels %s%n",
        config.architecture().describe(), config.parameters(), config.steps(), config.lr(), RunInfo.kernelName());
    log.flush();
    Training training = new Training(config, out, log, quiet);
    Training.Outcome outcome = training.run(mnist, dataFolder, init, stopAfter);
    RunDir run = new RunDir(out);
    if (outcome == Training.Outcome.DIVERGED) {
      spec.commandLine().getErr().println("train: " + training.divergence() + ". Kept " + run.metrics()
          + " up to that step and " + run.trajectory() + " up to the last finite saved step; "
          + run.runJson() + " has status 'diverged'.");
      spec.commandLine().getErr().flush();
    } else if (outcome == Training.Outcome.STOPPED) {
      log.println("Stopped after step " + stopAfter + "; run the same command to resume.");
    } else {
      Metrics m = Metrics.read(run.metrics());
      int last = m.step().length - 1;
      log.printf("Step %d: loss %.6f, train accuracy %.4f, test accuracy %.4f (%.1f s training)%n",
          m.step()[last], m.loss()[last], m.trainAccuracy()[last], m.testAccuracy()[last],
          m.seconds()[last]);
      log.println("Wrote " + run.trajectory() + ", " + run.metrics() + ", " + run.runJson()
          + ", " + run.dir.resolve("loss.png") + ", " + run.dir.resolve("accuracy.png")
          + (config.sharpnessEvery() != null ? ", " + run.dir.resolve(Training.SHARPNESS_PLOT) : ""));
    }
    log.flush();
    return outcome;
  }
}
