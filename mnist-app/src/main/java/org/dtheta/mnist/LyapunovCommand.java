package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.mnist.plot.Plots;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.io.NpyReader;
import org.dtheta.nn.spectral.LyapunovExponents;
import org.dtheta.nn.spectral.LyapunovResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dtheta lyapunov}: the leading Lyapunov exponents of gradient descent along a run. */
@Command(
    name = "lyapunov",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The M leading Lyapunov exponents of the gradient-descent map along a training run: an"
          + " orthonormal frame is pushed through Df(theta_0), Df(theta_1), ..., Df(theta_(T-1))"
          + " and re-orthonormalised (QR) after each step; exponent i is the average of"
          + " log |R_ii| per step (positive: nearby trajectories separate).",
      "Steps between saved ones are recomputed from the saved theta (gradient descent is"
          + " deterministic). Writes lyapunov.csv (index,exponent), lyapunov_history.csv (the"
          + " running estimates after each step) and lyapunov.png (their convergence)."
    })
final class LyapunovCommand implements Callable<Integer> {

  @Option(names = "--m", defaultValue = "5", paramLabel = "M",
      description = "Number of exponents (default: ${DEFAULT-VALUE}).")
  int m;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
      description = "Seed of the random initial frame (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin AnalysisOptions analysis;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    AnalysisOptions.Target target = analysis.openWithSteps("to follow");
    RunDir run = target.run();
    TrainConfig config = target.config();
    if (m < 1 || m > config.parameters()) {
      throw new IllegalArgumentException("--m must be in 1.." + config.parameters() + ", not " + m);
    }
    run.requireFiniteTrajectory(config);
    try (OutputGuard guard = analysis.claim(target, spec, "lyapunov.csv", "lyapunov_history.csv",
        "lyapunov.png")) {
      run(target, log);
    }
    return 0;
  }

  private void run(AnalysisOptions.Target target, PrintWriter log) throws Exception {
    RunDir run = target.run();
    TrainConfig config = target.config();
    long p = config.parameters();
    Model model = analysis.model(target, new Model.Needs("Lyapunov exponents with " + m
        + " directions", "--m", (k, a) -> MemoryCheck.product(k, a.hiddenSum(), p, 2L * m)), log);
    long t0 = System.nanoTime();
    LyapunovResult result;
    try (NpyReader trajectory = NpyReader.open(run.trajectory());
        Progress progress = Progress.start("lyapunov", config.steps(), "steps", analysis.quiet)) {
      trajectory.requireShape("the trajectory of " + run.runJson(), config.savedRows(),
          config.parameters());
      Walk walk = new Walk(trajectory, model.map(), config.saveEvery());
      result = new LyapunovExponents(m).seed(seed)
          .progress(progress)
          .forward(walk::jacobianAt, config.steps());
    }
    write(target.folder(), result, model.map().alpha(), log, (System.nanoTime() - t0) * 1e-9);
  }

  /**
   * Theta at every step, read from the trajectory at saved steps and recomputed by gradient
   * steps in between; asked for in increasing order, as the QR method does.
   */
  private static final class Walk {
    private final NpyReader trajectory;
    private final UpdateMap map;
    private final int saveEvery;
    private double[] theta;
    private int at = -1;

    Walk(NpyReader trajectory, UpdateMap map, int saveEvery) {
      this.trajectory = trajectory;
      this.map = map;
      this.saveEvery = saveEvery;
    }

    LinearMap jacobianAt(int t) {
      try {
        if (t % saveEvery == 0) {
          theta = trajectory.requireFinite(trajectory.readRow(t / saveEvery), t / saveEvery,
              "theta at step " + t);
        } else if (t == at + 1) {
          map.apply(theta, theta);
        } else {
          throw new IllegalStateException("steps must be visited in order: " + at + " then " + t);
        }
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      at = t;
      return map.asLinearMap(theta);
    }
  }

  private void write(Path folder, LyapunovResult r, double alpha, PrintWriter log, double seconds)
      throws IOException {
    StringBuilder csv = new StringBuilder("index,exponent\n");
    for (int i = 0; i < r.count(); i++) {
      csv.append(i + 1).append(',').append(r.exponents()[i]).append('\n');
    }
    StringBuilder history = new StringBuilder("step");
    for (int i = 0; i < r.count(); i++) {
      history.append(",lambda_").append(i + 1);
    }
    history.append('\n');
    double[] x = new double[r.steps()];
    double[][] y = new double[r.count()][r.steps()];
    for (int s = 0; s < r.steps(); s++) {
      x[s] = s + 1;
      history.append(s + 1);
      for (int i = 0; i < r.count(); i++) {
        y[i][s] = r.history()[s * r.count() + i];
        history.append(',').append(y[i][s]);
      }
      history.append('\n');
    }
    Path exponents = folder.resolve("lyapunov.csv");
    Path historyCsv = folder.resolve("lyapunov_history.csv");
    Path png = folder.resolve("lyapunov.png");
    AtomicFiles.writeString(exponents, csv.toString());
    AtomicFiles.writeString(historyCsv, history.toString());
    List<Plots.Series> series = new ArrayList<>();
    for (int i = 0; i < r.count(); i++) {
      series.add(new Plots.Series("lambda_" + (i + 1), x, y[i]));
    }
    Plots.lines(png, "Lyapunov exponents of gradient descent (alpha = " + alpha + ")",
        "steps averaged", "exponent per step (log growth)", series,
        List.of(new Plots.Reference(0, "0")), false);
    StringBuilder line = new StringBuilder();
    for (double e : r.exponents()) {
      line.append(String.format(Locale.ROOT, " %.6g", e));
    }
    log.printf(Locale.ROOT, "Lyapunov exponents over %d steps:%s (%.1f s)%nWrote %s, %s, %s%n",
        r.steps(), line, seconds, exponents, historyCsv, png);
    log.flush();
  }
}
