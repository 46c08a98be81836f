package org.dtheta.mnist;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.dtheta.core.linalg.Hutchinson;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.core.linalg.StochasticLanczosQuadrature;
import org.dtheta.mnist.plot.Plots;
import org.dtheta.nn.Objective;
import org.dtheta.nn.io.AtomicFiles;
import org.dtheta.nn.spectral.HessianDiagonal;
import picocli.CommandLine.Option;

/**
 * The options of {@code spectrum --trace} and {@code spectrum --density}, and the tables they
 * write beside spectrum.csv: {@code trace.csv} (step, trace_hessian, method, std_error), {@code
 * density.csv} (step, lambda, density) and {@code density.png}. The numerics are library code
 * ({@link HessianDiagonal}, {@link Hutchinson}, {@link StochasticLanczosQuadrature}).
 */
final class CurvatureOptions {

  static final String TRACE_CSV = "trace.csv";
  static final String DENSITY_CSV = "density.csv";
  static final String DENSITY_PNG = "density.png";

  /** Seed of the Hutchinson vectors and the SLQ starts: the same at every step, so step-to-step changes are not noise. */
  static final long SEED = 1L;

  @Option(names = "--trace",
      description = "Also the trace of Hess L per step into trace.csv: exact, from the diagonal"
          + " (by the Kronecker structure for the one-hidden-layer sigmoid net; by P unit-vector"
          + " products otherwise)."
          + " With --trace-samples, Hutchinson's estimate instead.")
  boolean trace;

  @Option(names = "--trace-samples", paramLabel = "N",
      description = "Estimate the trace from N >= 2 Rademacher vectors (Hutchinson, fixed seed,"
          + " with its standard error) instead of the exact diagonal, for nets where P products"
          + " are too dear. Implies --trace.")
  Integer traceSamples;

  @Option(names = "--density",
      description = "Also the eigenvalue density of Hess L per step by stochastic Lanczos"
          + " quadrature (as PyHessian's ESD): density.csv and density.png (log scale).")
  boolean density;

  @Option(names = "--density-starts", defaultValue = "4", paramLabel = "S",
      description = "Random starts of the density, averaged (default: ${DEFAULT-VALUE}).")
  int densityStarts;

  @Option(names = "--density-steps", defaultValue = "100", paramLabel = "M",
      description = "Lanczos steps per start (default: ${DEFAULT-VALUE}, as PyHessian).")
  int densitySteps;

  @Option(names = "--density-sigma", paramLabel = "SIGMA",
      description = "Standard deviation of the Gaussian broadening. Default: PyHessian's,"
          + " sqrt(1e-5 * max(1, width of the spectrum)).")
  Double densitySigma;

  @Option(names = "--density-points", defaultValue = "10000", paramLabel = "G",
      description = "Grid points of the density per step (default: ${DEFAULT-VALUE}).")
  int densityPoints;

  /** Whether a trace is asked for. */
  boolean traceWanted() {
    return trace || traceSamples != null;
  }

  /** Whether anything is asked for. */
  boolean any() {
    return traceWanted() || density;
  }

  /** Checks the values against the dimension {@code p}, naming the option. */
  void check(int p) {
    if (traceSamples != null && traceSamples < 2) {
      throw new IllegalArgumentException("--trace-samples must be >= 2 (a standard error needs two"
          + " samples), not " + traceSamples);
    }
    if (densityStarts < 1) {
      throw new IllegalArgumentException("--density-starts must be >= 1, not " + densityStarts);
    }
    if (densitySteps < 1) {
      throw new IllegalArgumentException("--density-steps must be >= 1, not " + densitySteps);
    }
    if ((long) Math.min(densitySteps, p) * p > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("--density-steps " + densitySteps + ": a basis of that many"
          + " vectors of " + p + " parameters does not fit in one array; lower it");
    }
    if (densitySigma != null && !(densitySigma > 0 && Double.isFinite(densitySigma))) {
      throw new IllegalArgumentException("--density-sigma must be finite and > 0, not " + densitySigma);
    }
    if (densityPoints < 2) {
      throw new IllegalArgumentException("--density-points must be >= 2, not " + densityPoints);
    }
  }

  /** The files these options write. */
  List<String> outputs() {
    List<String> names = new ArrayList<>();
    if (traceWanted()) {
      names.add(TRACE_CSV);
    }
    if (density) {
      names.add(DENSITY_CSV);
      names.add(DENSITY_PNG);
    }
    return names;
  }

  /** The heap the asked-for work needs beyond the model (live data, as {@link MemoryCheck}). */
  long bytes(int k, Architecture arch, long p) {
    int hidden = arch.hiddenSum();
    long need = 0;
    if (traceWanted()) {
      long m = Math.min(64, p);
      need = traceSamples != null || !arch.twoLayer()
          ? MemoryCheck.product(k, hidden, p, m) + 8L * m * p // products, plus a panel
          : 8L * k * (hidden + 200) + MemoryCheck.tangents(k, hidden, Math.max(hidden, 64));
    }
    if (density) {
      need = Math.max(need, 8L * densityStarts * Math.min(densitySteps, p) * p
          + MemoryCheck.product(k, hidden, p, densityStarts));
    }
    return need;
  }

  /** Computes what was asked for, step by step, then writes the tables. */
  final class Tables {
    private final StringBuilder traceCsv = new StringBuilder("step,trace_hessian,method,std_error\n");
    private final StringBuilder densityCsv = new StringBuilder("step,lambda,density\n");
    private final List<Plots.Series> curves = new ArrayList<>();
    private final boolean quiet;

    Tables(boolean quiet) {
      this.quiet = quiet;
    }

    /** The trace and density at step {@code t}, {@code hessian} the map of Hess L at {@code theta}. */
    void add(int t, Objective objective, double[] theta, LinearMap hessian, PrintWriter log) {
      int p = objective.dimension();
      if (traceWanted()) {
        double value;
        double error;
        String method;
        long t0 = System.nanoTime();
        if (traceSamples != null) {
          Hutchinson.Estimate e;
          try (Progress progress = Progress.start("trace " + t, traceSamples, "vectors", quiet)) {
            e = Hutchinson.trace(hessian, traceSamples, SEED, objective.defaultDirectionsPerSweep(),
                progress);
          }
          value = e.trace();
          error = e.standardError();
          method = "hutchinson";
        } else {
          HessianDiagonal.Route route = HessianDiagonal.route(objective);
          double[] diagonal;
          try (Progress progress = Progress.start("diagonal " + t, p, "rows", quiet)) {
            diagonal = HessianDiagonal.of(objective, theta, progress);
          }
          value = HessianDiagonal.trace(diagonal);
          error = 0;
          method = route == HessianDiagonal.Route.STRUCTURED ? "exact_structured" : "exact_panels";
        }
        traceCsv.append(String.format(Locale.ROOT, "%d,%s,%s,%s%n", t, value, method, error));
        log.printf(Locale.ROOT, "step %d: trace of Hess L %.10g (%s%s) in %.1f s%n", t, value, method,
            traceSamples != null ? String.format(Locale.ROOT, ", %d samples, standard error %.3g",
                traceSamples, error) : "", (System.nanoTime() - t0) * 1e-9);
      }
      if (density) {
        long t0 = System.nanoTime();
        StochasticLanczosQuadrature.Quadrature q;
        try (Progress progress = Progress.start("density " + t, Math.min(densitySteps, p), "steps",
            quiet)) {
          q = StochasticLanczosQuadrature.run(hessian, densityStarts, densitySteps, SEED, progress);
        }
        double sigma = densitySigma != null ? densitySigma : q.defaultSigma();
        StochasticLanczosQuadrature.Density d = q.density(sigma, densityPoints);
        for (int g = 0; g < d.grid().length; g++) {
          densityCsv.append(t).append(',').append(d.grid()[g]).append(',').append(d.density()[g])
              .append('\n');
        }
        curves.add(new Plots.Series("step " + t, d.grid(), visible(d.density())));
        log.printf(Locale.ROOT, "step %d: density from %d starts x %d Lanczos steps, nodes in [%.6g,"
            + " %.6g], sigma %.3g; estimates trace/P %.6g, trace(H^2)/P %.6g (%.1f s)%n", t,
            densityStarts, Math.min(densitySteps, p), q.minNode(), q.maxNode(), sigma, q.moment(1),
            q.moment(2), (System.nanoTime() - t0) * 1e-9);
      }
      log.flush();
    }

    /**
     * The density with values below 1e-12 of its peak left out (NaN): on a log axis the
     * Gaussian tails would otherwise stretch the range down to 1e-300.
     */
    private double[] visible(double[] density) {
      double peak = 0;
      for (double v : density) {
        peak = Math.max(peak, v);
      }
      double[] out = density.clone();
      for (int i = 0; i < out.length; i++) {
        if (out[i] < 1e-12 * peak) {
          out[i] = Double.NaN;
        }
      }
      return out;
    }

    /** Writes the tables (atomically) into {@code folder}; returns what was written. */
    List<Path> write(Path folder) throws IOException {
      List<Path> written = new ArrayList<>();
      if (traceWanted()) {
        Path csv = folder.resolve(TRACE_CSV);
        AtomicFiles.writeString(csv, traceCsv.toString());
        written.add(csv);
      }
      if (density) {
        Path csv = folder.resolve(DENSITY_CSV);
        Path png = folder.resolve(DENSITY_PNG);
        AtomicFiles.writeString(csv, densityCsv.toString());
        Plots.lines(png, "Eigenvalue density of Hess L (SLQ, " + densityStarts + " starts x "
            + densitySteps + " steps)", "eigenvalue", "density", curves, List.of(), true);
        written.add(csv);
        written.add(png);
      }
      return written;
    }
  }
}
