package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.Classifier;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.NpyReader;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spectrum --trace} and {@code --density} on a 784-1-10 run (the structured diagonal) and
 * a 784-2-2-10 run (three layers: unit-vector panels), against the dense Hessian ({@code (I -
 * Df)/alpha}) and central differences of the gradient.
 */
class CurvatureTest {

  static final double LR = 0.5;

  @TempDir static Path tmp;
  static Path data;

  @BeforeAll
  static void data() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
  }

  /** A 4-step run of the net with hidden widths {@code hidden} on 12 images, every 2nd step saved. */
  private static Path train(String name, String hidden) {
    Path run = tmp.resolve(name);
    if (!Files.exists(run.resolve("run.json"))) {
      Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "12", "--hidden",
          hidden, "--steps", "4", "--save-every", "2", "--lr", "" + LR, "--init-std", "1", "--quiet",
          "--out", run.toString());
      assertEquals(0, r.code(), r.toString());
    }
    return run;
  }

  /** The objective of a run and theta at {@code step}. */
  private record At(Classifier net, UpdateMap map, double[] theta) {
    /** Hess L, dense, from Df. */
    double[] hessian() {
      double[] df = map.dense(theta);
      int p = theta.length;
      double[] h = new double[p * p];
      for (int i = 0; i < p; i++) {
        for (int j = 0; j < p; j++) {
          h[i * p + j] = ((i == j ? 1 : 0) - df[i * p + j]) / LR;
        }
      }
      return h;
    }

    /** sum_i (g_i(theta + h e_i) - g_i(theta - h e_i)) / 2h: first derivatives only. */
    double traceByDifferences() {
      int p = theta.length;
      double[] plus = new double[p];
      double[] minus = new double[p];
      double[] x = theta.clone();
      double sum = 0;
      double h = 1e-5;
      for (int i = 0; i < p; i++) {
        x[i] = theta[i] + h;
        net.lossAndGradient(x, plus);
        x[i] = theta[i] - h;
        net.lossAndGradient(x, minus);
        x[i] = theta[i];
        sum += (plus[i] - minus[i]) / (2 * h);
      }
      return sum;
    }
  }

  private static At at(Path run, int step) throws IOException {
    TrainConfig config = new RunDir(run).config();
    Classifier net = config.architecture().objective(LR, Mnist.load(data, 12).train());
    double[] theta;
    try (NpyReader reader = NpyReader.open(run.resolve("trajectory.npy"))) {
      theta = reader.readRow(step / 2);
    }
    return new At(net, Architecture.map(net, LR), theta);
  }

  private static double trace(double[] a, int n) {
    double t = 0;
    for (int i = 0; i < n; i++) {
      t += a[i * n + i];
    }
    return t;
  }

  private static Fixtures.Result spectrum(Path run, Path out, String... extra) {
    List<String> args = new ArrayList<>(List.of("spectrum", "--run", run.toString(), "--data",
        data.toString(), "--steps", "0,4", "--top", "0", "--bottom", "0", "--quiet", "--out",
        out.toString()));
    args.addAll(List.of(extra));
    return Fixtures.run(args.toArray(String[]::new));
  }

  /** Rows of trace.csv as (step, trace, method, std_error) fields. */
  private static List<String[]> traceRows(Path out) throws IOException {
    List<String> lines = Files.readAllLines(out.resolve("trace.csv"));
    assertEquals("step,trace_hessian,method,std_error", lines.get(0));
    List<String[]> rows = new ArrayList<>();
    for (String l : lines.subList(1, lines.size())) {
      rows.add(l.split(","));
    }
    return rows;
  }

  @Test
  void exactTraceOfBothRoutesMatchesDenseHessianAndDifferences() throws IOException {
    for (String hidden : new String[] {"1", "2,2"}) {
      Path run = train("run-" + hidden.replace(',', '-'), hidden);
      Path out = tmp.resolve("trace-" + hidden.replace(',', '-'));
      Fixtures.Result r = spectrum(run, out, "--trace");
      assertEquals(0, r.code(), r.toString());
      assertFalse(Files.exists(out.resolve("spectrum.csv")), "--top 0 --bottom 0 skips the eigenvalues");
      List<String[]> rows = traceRows(out);
      assertEquals(2, rows.size());
      for (String[] f : rows) {
        At a = at(run, Integer.parseInt(f[0]));
        double got = Double.parseDouble(f[1]);
        double dense = trace(a.hessian(), a.theta().length);
        assertEquals(dense, got, 1e-9 * Math.abs(dense), hidden + " step " + f[0] + " vs dense");
        assertEquals(a.traceByDifferences(), got, 1e-6 * Math.abs(dense), hidden + " vs differences");
        assertEquals(hidden.equals("1") ? "exact_structured" : "exact_panels", f[2]);
        assertEquals(0, Double.parseDouble(f[3]));
      }
    }
  }

  @Test
  void hutchinsonIsWithinThreeStandardErrorsOfTheExactTrace() throws IOException {
    Path run = train("run-2-2", "2,2");
    Path out = tmp.resolve("hutchinson");
    Fixtures.Result r = spectrum(run, out, "--trace-samples", "100");
    assertEquals(0, r.code(), r.toString());
    for (String[] f : traceRows(out)) {
      At a = at(run, Integer.parseInt(f[0]));
      double exact = trace(a.hessian(), a.theta().length);
      double got = Double.parseDouble(f[1]);
      double se = Double.parseDouble(f[3]);
      assertEquals("hutchinson", f[2]);
      assertTrue(se > 0 && Math.abs(got - exact) <= 3 * se, got + " vs " + exact + " +- " + se);
    }
  }

  @Test
  void densityIntegratesToOneAndHasTheDenseHessiansMoments() throws IOException {
    Path run = train("run-1", "1");
    Path out = tmp.resolve("density");
    int starts = 20;
    Fixtures.Result r = spectrum(run, out, "--density", "--density-starts", "" + starts,
        "--density-steps", "30", "--density-points", "4000");
    assertEquals(0, r.code(), r.toString());
    assertEquals('P', Files.readAllBytes(out.resolve("density.png"))[1]);
    List<String> lines = Files.readAllLines(out.resolve("density.csv"));
    assertEquals("step,lambda,density", lines.get(0));
    assertEquals(1 + 2 * 4000, lines.size());
    for (int step : new int[] {0, 4}) {
      double[] x = new double[4000];
      double[] y = new double[4000];
      int n = 0;
      for (String l : lines.subList(1, lines.size())) {
        String[] f = l.split(",");
        if (Integer.parseInt(f[0]) == step) {
          x[n] = Double.parseDouble(f[1]);
          y[n++] = Double.parseDouble(f[2]);
        }
      }
      assertEquals(4000, n);
      double[] moments = new double[3];
      double dx = (x[n - 1] - x[0]) / (n - 1);
      for (int i = 0; i < n; i++) {
        double w = (i == 0 || i == n - 1 ? 0.5 : 1) * dx * y[i];
        moments[0] += w;
        moments[1] += w * x[i];
        moments[2] += w * x[i] * x[i];
      }
      At a = at(run, step);
      int p = a.theta().length;
      double[] h = a.hessian();
      double[] h2 = new double[p * p];
      for (int i = 0; i < p; i++) {
        for (int k = 0; k < p; k++) {
          double hik = h[i * p + k];
          if (hik != 0) {
            for (int j = 0; j < p; j++) {
              h2[i * p + j] += hik * h[k * p + j];
            }
          }
        }
      }
      // the spread of the quadrature's moments is that of normalised Rademacher samples
      double se1 = Math.sqrt(offDiagonalSquares(h, p) * 2 / ((double) p * p * starts));
      double se2 = Math.sqrt(offDiagonalSquares(h2, p) * 2 / ((double) p * p * starts));
      double sigma2 = sigmaSquared(x, y);
      assertEquals(1, moments[0], 1e-6, "step " + step + ": integral");
      assertEquals(trace(h, p) / p, moments[1], 4 * se1, "step " + step + ": mean");
      assertEquals(trace(h2, p) / p, moments[2] - sigma2, 4 * se2, "step " + step + ": second moment");
    }
    Fixtures.Result bad = spectrum(run, out, "--density", "--density-starts", "0");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().contains("--density-starts"), bad.toString());
  }

  private static double offDiagonalSquares(double[] a, int n) {
    double s = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        s += i == j ? 0 : a[i * n + j] * a[i * n + j];
      }
    }
    return s;
  }

  /**
   * The broadening's variance, from the grid: PyHessian's default over the nodes' span, which is
   * the grid's span less 12 sigma (sigma^2 = 1e-5 max(1, span)).
   */
  private static double sigmaSquared(double[] x, double[] y) {
    double width = x[x.length - 1] - x[0];
    // solve width = span + 12 sqrt(1e-5 max(1, span)) for span by fixed-point iteration
    double span = width;
    for (int i = 0; i < 100; i++) {
      span = width - 12 * Math.sqrt(1e-5 * Math.max(1, span));
    }
    return 1e-5 * Math.max(1, span);
  }

  @Test
  void traceSamplesZeroExitsTwoNamingTheOption() {
    Path run = train("run-1", "1");
    Fixtures.Result r = spectrum(run, tmp.resolve("bad"), "--trace-samples", "0");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--trace-samples"), r.toString());
    assertFalse(Files.exists(tmp.resolve("bad").resolve("trace.csv")));
  }
}
