package org.dtheta.mnist;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dtheta.core.linalg.Eigenpairs;
import org.dtheta.core.linalg.Lanczos;
import org.dtheta.core.linalg.SpectrumResult;
import org.dtheta.mnist.plot.Plots;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.spectral.UpdateStability;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code dtheta spectrum}: both ends of the spectra of Hess L and Df along a training run. */
@Command(
    name = "spectrum",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "The largest and smallest eigenvalues of Hess L(theta_t) and of Df(theta_t) ="
          + " I - alpha*Hess L (eigenvalues 1 - alpha*lambda) at saved steps of a training run, by"
          + " block Lanczos on exact Hessian-vector products.",
      "Writes spectrum.csv (step,end,index,hessian_eigenvalue,df_eigenvalue,residual,converged),"
          + " sharpness.csv (step,sharpness,two_over_alpha,above_edge,negative,df_norm) and"
          + " sharpness.png (the largest Hessian eigenvalue along the run against 2/alpha, where"
          + " gradient descent turns unstable).",
      "With --trace also trace.csv (step,trace_hessian,method,std_error); with --density also"
          + " density.csv (step,lambda,density) and density.png. With either, --top 0 --bottom 0"
          + " skips the eigenvalues."
    })
final class SpectrumCommand implements Callable<Integer> {

  @Option(names = "--steps", split = ",", paramLabel = "T",
      description = "Saved steps to analyse, comma-separated. Default: 5 evenly spaced saved steps"
          + " from the first to the last.")
  List<Integer> steps;

  @Option(names = "--top", defaultValue = "5", paramLabel = "K",
      description = "Largest eigenvalues per step (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--bottom", defaultValue = "5", paramLabel = "K",
      description = "Smallest eigenvalues per step (default: ${DEFAULT-VALUE}).")
  int bottom;

  @Option(names = "--block-size", defaultValue = "4", paramLabel = "B",
      description = "Vectors per Hessian sweep in Lanczos (default: ${DEFAULT-VALUE}).")
  int blockSize;

  // 160 left the clustered smallest eigenvalues of the demo's trained net (-0.123, -0.120,
  // -0.118 at step 50) at residuals of 1e-5; the library's 300 converges them (95 MB of basis)
  @Option(names = "--max-krylov", defaultValue = "" + Lanczos.DEFAULT_MAX_KRYLOV_DIMENSION,
      paramLabel = "K",
      description = "Largest Krylov basis per step; the iteration stops earlier once the"
          + " requested pairs converge (default: ${DEFAULT-VALUE}).")
  int maxKrylov;

  @Option(names = "--tol", defaultValue = "1e-6", paramLabel = "TOL",
      description = "Relative residual tolerance of the eigenpairs (default: ${DEFAULT-VALUE}).")
  double tolerance;

  @Mixin AnalysisOptions analysis;

  @Mixin CurvatureOptions curvature;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter log = spec.commandLine().getOut();
    AnalysisOptions.Target target = analysis.open();
    RunDir run = target.run();
    TrainConfig config = target.config();
    checkOptions(config.parameters());
    List<Integer> chosen = steps != null ? steps : evenlySpaced(config, 5);
    for (int t : chosen) {
      run.theta(config, t); // reject unsaved steps and non-finite thetas before any work
    }
    List<String> outputs = new ArrayList<>(curvature.outputs());
    if (eigenvalues()) {
      outputs.addAll(List.of("spectrum.csv", "sharpness.csv", "sharpness.png"));
    }
    try (OutputGuard guard = analysis.claim(target, spec, outputs.toArray(String[]::new))) {
      run(target, chosen, log);
    }
    return 0;
  }

  /** Whether the extreme eigenvalues are asked for (not with --top 0 --bottom 0 beside --trace or --density). */
  private boolean eigenvalues() {
    return top + bottom > 0;
  }

  /** The Lanczos options against the dimension {@code p}, in the options' words. */
  private void checkOptions(int p) {
    curvature.check(p);
    if (top < 0 || bottom < 0 || (top + bottom == 0 && !curvature.any())) {
      throw new IllegalArgumentException("--top and --bottom must be >= 0 and not both 0 (unless"
          + " --trace or --density is given), not " + top + " and " + bottom);
    }
    if (blockSize < 1 || blockSize > p) {
      throw new IllegalArgumentException("--block-size must be in 1.." + p + ", not " + blockSize);
    }
    int capacity = Math.min(maxKrylov, p) / blockSize * blockSize;
    if (capacity < blockSize) {
      throw new IllegalArgumentException("--max-krylov " + maxKrylov + " must be at least --block-size "
          + blockSize);
    }
    if (Math.max(top, bottom) > capacity) {
      throw new IllegalArgumentException("--top/--bottom " + Math.max(top, bottom) + " exceed the "
          + capacity + " Krylov vectors of --max-krylov " + maxKrylov + "; raise --max-krylov or"
          + " ask for fewer");
    }
    if ((long) capacity * p > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("--max-krylov " + maxKrylov + ": a basis of " + capacity
          + " vectors of " + p + " parameters does not fit in one array; lower it");
    }
    if (!(tolerance > 0 && tolerance < 1)) {
      throw new IllegalArgumentException("--tol must be in (0, 1), not " + tolerance);
    }
  }

  private void run(AnalysisOptions.Target target, List<Integer> chosen, PrintWriter log)
      throws Exception {
    RunDir run = target.run();
    TrainConfig config = target.config();
    long p = config.parameters();
    long krylov = eigenvalues() ? Math.min(maxKrylov, p) / blockSize * blockSize : 0;
    Model model = analysis.model(target, new Model.Needs("Lanczos with a basis of " + krylov
        + " vectors" + (curvature.any() ? " and the trace or density" : ""),
        "--max-krylov" + (curvature.density ? ", --density-steps or --density-starts" : ""),
        (k, a) -> Math.max(eigenvalues() ? MemoryCheck.lanczos(k, a.hiddenSum(), p, krylov, blockSize) : 0,
            curvature.bytes(k, a, p))), log);
    double alpha = model.map().alpha();
    StringBuilder spectrum = new StringBuilder(
        "step,end,index,hessian_eigenvalue,df_eigenvalue,residual,converged\n");
    StringBuilder sharpness = new StringBuilder(
        "step,sharpness,two_over_alpha,above_edge,negative,df_norm\n");
    double[] x = new double[chosen.size()];
    double[] top1 = new double[chosen.size()];
    double[] bottom1 = new double[chosen.size()];
    long t0 = System.nanoTime();
    CurvatureOptions.Tables tables = curvature.new Tables(analysis.quiet);
    for (int i = 0; i < chosen.size(); i++) {
      int t = chosen.get(i);
      double[] theta = run.theta(config, t);
      if (curvature.any()) {
        tables.add(t, model.net(), theta, model.map().hessianMap(theta), log);
      }
      if (!eigenvalues()) {
        continue;
      }
      SpectrumResult result;
      try (Progress progress = Progress.start("step " + t, maxKrylov, "dims", analysis.quiet)) {
        result = new Lanczos(model.map().hessianMap(theta))
            .largest(top).smallest(bottom).blockSize(blockSize).maxKrylovDimension(maxKrylov)
            .tolerance(tolerance).seed(1).progress(progress)
            .run();
      }
      UpdateStability s = UpdateStability.of(result, alpha);
      append(spectrum, t, "largest", result.largest(), alpha);
      append(spectrum, t, "smallest", result.smallest(), alpha);
      sharpness.append(String.format(Locale.ROOT, "%d,%s,%s,%d,%d,%s%n", t, s.sharpness(),
          s.edgeOfStability(), s.aboveEdge(), s.negative(), s.updateNorm()));
      x[i] = t;
      top1[i] = s.sharpness();
      bottom1[i] = result.smallest().count() > 0 ? result.smallest().values()[0] : Double.NaN;
      log.printf(Locale.ROOT, "step %d: %s%s%n", t, s.summary(),
          result.allConverged() ? "" : " [some pairs not converged: raise --max-krylov]");
      log.flush();
    }
    Path folder = target.folder();
    List<Path> written = tables.write(folder);
    if (!eigenvalues()) {
      log.printf(Locale.ROOT, "Curvature at %d steps in %.1f s%nWrote %s%n", chosen.size(),
          (System.nanoTime() - t0) * 1e-9, String.join(", ", written.stream().map(Path::toString).toList()));
      log.flush();
      return;
    }
    Path csv = folder.resolve("spectrum.csv");
    Path sharpCsv = folder.resolve("sharpness.csv");
    Path png = folder.resolve("sharpness.png");
    AtomicFiles.writeString(csv, spectrum.toString());
    AtomicFiles.writeString(sharpCsv, sharpness.toString());
    List<Plots.Series> series = new ArrayList<>();
    series.add(new Plots.Series("largest eigenvalue of Hess L (sharpness)", x, top1));
    if (bottom > 0) {
      series.add(new Plots.Series("smallest eigenvalue of Hess L", x, bottom1));
    }
    Plots.lines(png, "Sharpness along the run (alpha = " + alpha + ")", "step", "eigenvalue of Hess L",
        series, List.of(new Plots.Reference(2 / alpha, "2/alpha = " + (2 / alpha))), false);
    log.printf(Locale.ROOT, "Spectra at %d steps in %.1f s%nWrote %s, %s, %s%s%n", chosen.size(),
        (System.nanoTime() - t0) * 1e-9, csv, sharpCsv, png,
        written.stream().map(f -> ", " + f).collect(java.util.stream.Collectors.joining()));
    log.flush();
  }

  /** About {@code n} saved steps from the first to the last, evenly spaced. */
  static List<Integer> evenlySpaced(TrainConfig config, int n) {
    int rows = config.savedRows();
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int row = n == 1 ? rows - 1 : (int) Math.round((double) i * (rows - 1) / (n - 1));
      int step = row * config.saveEvery();
      if (out.isEmpty() || out.get(out.size() - 1) != step) {
        out.add(step);
      }
    }
    return out;
  }

  private static void append(StringBuilder csv, int step, String end, Eigenpairs pairs, double alpha) {
    double[] residuals = pairs.residualNorms();
    for (int j = 0; j < pairs.count(); j++) {
      double lambda = pairs.values()[j];
      csv.append(String.format(Locale.ROOT, "%d,%s,%d,%s,%s,%s,%s%n", step, end, j + 1, lambda,
          1 - alpha * lambda, residuals[j], pairs.converged()[j]));
    }
  }
}
