package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.nn.Objective;
import org.dtheta.nn.io.Npy;
import org.dtheta.nn.io.NpyReader;
import org.dtheta.nn.sensitivity.Sensitivities;
import org.dtheta.nn.sensitivity.TrajectorySensitivity;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code dtheta sensitivity}: exact derivatives of a run's final loss with respect to its
 * learning rate and its initial parameters ({@link TrajectorySensitivity}).
 */
@Command(
    name = "sensitivity",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Exact derivatives of the final loss L_T = L_obs(theta_T) of a training run saved at every"
          + " step: by the tangent, forward along the run (v_0 = 0, v_(t+1) = Df(theta_t) v_t -"
          + " grad L(theta_t); d theta_T/d alpha = v_T, dL_T/d alpha = grad L_obs(theta_T) . v_T),"
          + " and by the adjoint, backward (lambda_T = grad L_obs(theta_T), lambda_t ="
          + " Df(theta_t) lambda_(t+1); grad_theta_0 L_T = lambda_0, dL_T/d alpha ="
          + " -sum_t lambda_(t+1) . grad L(theta_t)). Each step costs two gradients and two"
          + " Hessian-vector products.",
      "Writes sensitivity.json (loss_final, dloss_dalpha_tangent, dloss_dalpha_adjoint, steps,"
          + " seconds, ...), dloss_dtheta0.npy (P,) and dtheta_dalpha.npy (P,)."
    })
final class SensitivityCommand implements Callable<Integer> {

  /** What is observed at the end of the run. */
  enum Observable {
    /** The training objective itself (the loss the run descends). */
    TRAIN_LOSS,
    /** The same objective (same network and L2 term) on all test images. */
    TEST_LOSS;

    @Override
    public String toString() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Largest replay error (see {@link TrajectorySensitivity.Tangent#replayError}) accepted. */
  static final double REPLAY_TOLERANCE = 1e-6;

  static final String JSON = "sensitivity.json";
  static final String DLOSS_DTHETA0 = "dloss_dtheta0.npy";
  static final String DTHETA_DALPHA = "dtheta_dalpha.npy";

  @Option(names = "--observable", defaultValue = "train_loss", paramLabel = "NAME",
      description = "The final loss differentiated: train_loss (the training objective) or"
          + " test_loss (the same loss, network and L2 term on all test images)"
          + " (default: ${DEFAULT-VALUE}).")
  Observable observable;

  @Mixin AnalysisOptions analysis;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    AnalysisOptions.Target target = analysis.openWithSteps("to differentiate");
    RunDir run = target.run();
    TrainConfig config = target.config();
    if (config.saveEvery() != 1) {
      // the adjoint walks the run backwards, so every theta must be stored, not recomputed
      throw new IllegalArgumentException(run.trajectory() + " holds every " + config.saveEvery()
          + "th step (the run was trained with --save-every " + config.saveEvery() + "); the"
          + " sensitivities need every step: train it again with --save-every 1");
    }
    run.requireFiniteTrajectory(config);
    try (OutputGuard guard = analysis.claim(target, spec, JSON, DLOSS_DTHETA0, DTHETA_DALPHA)) {
      run(target, log);
    }
    return 0;
  }

  private void run(AnalysisOptions.Target target, PrintWriter log) throws Exception {
    RunDir run = target.run();
    TrainConfig config = target.config();
    long p = config.parameters();
    Model model = analysis.model(target, new Model.Needs("trajectory sensitivities", "--k",
        (k, a) -> MemoryCheck.product(k, a.hiddenSum(), p, 1) + 8 * 8 * p
            + (observable == Observable.TEST_LOSS ? testLossBytes(a) : 0)), log);
    Objective observed = observable == Observable.TRAIN_LOSS ? model.net()
        : model.arch().objective(config.lr(), model.data().test());
    TrajectorySensitivity sensitivity =
        new TrajectorySensitivity(model.map()).observable(observed);
    long t0 = System.nanoTime();
    Sensitivities s;
    try (NpyReader trajectory = NpyReader.open(run.trajectory())) {
      trajectory.requireShape("the trajectory of " + run.runJson(), config.savedRows(), p);
      // a run of other data or another step: refuse after one step rather than after all
      requireReplayed(run, sensitivity.replayError(row(trajectory, 0), row(trajectory, 1)));
      try (Progress progress =
          Progress.start("sensitivity", 2L * config.steps(), "steps", analysis.quiet)) {
        s = sensitivity.progress(progress).run(t -> row(trajectory, t), config.steps());
      }
    }
    requireReplayed(run, s.replayError());
    double seconds = (System.nanoTime() - t0) * 1e-9;
    write(target, model, s, seconds, log);
  }

  /** The heap of the objective on the test images: their recorded tapes (a model's, bounded above). */
  private static long testLossBytes(Architecture arch) {
    return MemoryCheck.model(10_000, arch.hiddenSum()) - MemoryCheck.model(0, arch.hiddenSum());
  }

  private static double[] row(NpyReader trajectory, int t) {
    try {
      return trajectory.readRow(t);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireReplayed(RunDir run, double replayError) {
    if (!(replayError <= REPLAY_TOLERANCE)) {
      throw new IllegalArgumentException(run.trajectory() + " is not gradient descent on this"
          + " data: a stored step differs from the step recomputed from the theta before it by "
          + String.format(Locale.ROOT, "%.3g", replayError) + " of its size; give the --data the"
          + " run was trained on");
    }
  }

  private void write(AnalysisOptions.Target target, Model model, Sensitivities s, double seconds,
      PrintWriter log) throws IOException {
    Path folder = target.folder();
    Path gradient = folder.resolve(DLOSS_DTHETA0);
    Path tangent = folder.resolve(DTHETA_DALPHA);
    Path json = folder.resolve(JSON);
    Npy.writeVector(gradient, s.dlossDtheta0());
    Npy.writeVector(tangent, s.dthetaDalpha());
    TrainConfig config = target.config();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("run", target.run().dir.toString());
    m.put("observable", observable.toString());
    m.put("architecture", model.arch().describe());
    m.put("k", config.k());
    m.put("alpha", model.map().alpha());
    m.put("steps", s.steps());
    m.put("parameters", model.parameters());
    m.put("loss_final", s.lossFinal());
    m.put("dloss_dalpha_tangent", s.dlossDalphaTangent());
    m.put("dloss_dalpha_adjoint", s.dlossDalphaAdjoint());
    m.put("relative_difference", s.relativeDifference());
    m.put("dloss_dtheta0_norm", norm(s.dlossDtheta0()));
    m.put("dtheta_dalpha_norm", norm(s.dthetaDalpha()));
    m.put("replay_error", s.replayError());
    m.put("seconds", seconds);
    m.put("environment", RunInfo.environment());
    Json.write(json, m); // last: its presence says the arrays beside it are complete
    log.printf(Locale.ROOT, "%s after %d steps: %.10g; dL/dalpha = %.10g (tangent), %.10g"
            + " (adjoint), relative difference %.2g; |grad_theta0 L| = %.6g (%.1f s)%nWrote %s,"
            + " %s, %s%n", observable, s.steps(), s.lossFinal(), s.dlossDalphaTangent(),
        s.dlossDalphaAdjoint(), s.relativeDifference(), norm(s.dlossDtheta0()), seconds, json,
        gradient, tangent);
    log.flush();
  }

  private static double norm(double[] x) {
    return Math.sqrt(Kernels.dot(x.length, x, 0, x, 0));
  }
}
