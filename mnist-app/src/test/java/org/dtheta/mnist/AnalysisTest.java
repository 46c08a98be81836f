package org.dtheta.mnist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.dtheta.mnist.data.Mnist;
import org.dtheta.nn.TwoLayerNet;
import org.dtheta.nn.UpdateMap;
import org.dtheta.nn.io.NpyReader;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** spectrum and lyapunov on a 784-1-10 run (P = 805), checked against dense linear algebra. */
class AnalysisTest {

  static final int P = 805;
  static final double LR = 0.5;
  static final int STEPS = 4;

  @TempDir static Path tmp;
  static Path data;
  static Path run;
  static UpdateMap map;
  static double[][] thetas = new double[STEPS + 1][];

  @BeforeAll
  static void trainOnce() throws IOException {
    data = Fixtures.mnist(tmp.resolve("mnist"), false);
    run = tmp.resolve("run");
    Fixtures.Result r = Fixtures.run("train", "--data", data.toString(), "--k", "12", "--hidden",
        "1", "--steps", "" + STEPS, "--save-every", "2", "--lr", "" + LR, "--init-std", "1",
        "--quiet", "--out", run.toString());
    assertEquals(0, r.code(), r.toString());
    TwoLayerNet net = new TwoLayerNet(TrainConfig.network(1, LR), Mnist.load(data, 12).train());
    map = new UpdateMap(net);
    try (NpyReader reader = NpyReader.open(run.resolve("trajectory.npy"))) {
      thetas[0] = reader.readRow(0);
    }
    for (int t = 1; t <= STEPS; t++) {
      thetas[t] = new double[P];
      map.apply(thetas[t - 1], thetas[t]);
    }
  }

  /**
   * Eigenvalues of Hess L at theta, ascending, from the dense Df: an independent route. Rows
   * and columns that are exactly zero (W1 rows of pixels dark in every sample) contribute zero
   * eigenvalues and are dropped before EJML's dense symmetric solver runs.
   */
  private static double[] hessianEigenvalues(int step) {
    return EIGENVALUES.computeIfAbsent(step, AnalysisTest::computeEigenvalues);
  }

  private static final java.util.Map<Integer, double[]> EIGENVALUES = new java.util.HashMap<>();
  private static final java.util.Map<Integer, double[]> DENSE = new java.util.HashMap<>();

  /** Df at step t, dense (computed once). */
  private static double[] dense(int step) {
    return DENSE.computeIfAbsent(step, t -> map.dense(thetas[t]));
  }

  private static double[] computeEigenvalues(int step) {
    double[] df = dense(step);
    int[] keep = new int[P];
    int n = 0;
    for (int i = 0; i < P; i++) {
      boolean zero = true;
      for (int j = 0; j < P && zero; j++) {
        zero = df[i * P + j] == (i == j ? 1 : 0);
      }
      if (!zero) {
        keep[n++] = i;
      }
    }
    double[] h = new double[n * n];
    for (int a = 0; a < n; a++) {
      for (int b = 0; b < n; b++) {
        int i = keep[a];
        int j = keep[b];
        h[a * n + b] = ((i == j ? 1 : 0) - df[i * P + j]) / LR;
        assertTrue(Double.isFinite(h[a * n + b]));
      }
    }
    EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, false, true);
    assertTrue(eig.decompose(new DMatrixRMaj(n, n, true, h)), "EJML eigendecomposition");
    double[] all = new double[P]; // the dropped ones are zeros
    for (int i = 0; i < n; i++) {
      all[i] = eig.getEigenvalue(i).getReal();
    }
    Arrays.sort(all);
    return all;
  }

  @Test
  void spectrumMatchesDenseEigenvalues() throws IOException {
    Path out = tmp.resolve("spectrum");
    Fixtures.Result r = Fixtures.run("spectrum", "--run", run.toString(), "--data", data.toString(),
        "--steps", "0,4", "--top", "3", "--bottom", "2", "--block-size", "2", "--max-krylov", "200",
        "--tol", "1e-9", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(out.resolve("spectrum.csv"));
    assertEquals("step,end,index,hessian_eigenvalue,df_eigenvalue,residual,converged", rows.get(0));
    assertEquals(1 + 2 * (3 + 2), rows.size());
    for (int step : new int[] {0, 4}) {
      double[] exact = hessianEigenvalues(step);
      double scale = Math.max(Math.abs(exact[0]), Math.abs(exact[P - 1]));
      for (String row : rows.subList(1, rows.size())) {
        String[] f = row.split(",");
        if (Integer.parseInt(f[0]) != step) {
          continue;
        }
        int index = Integer.parseInt(f[2]);
        double lambda = Double.parseDouble(f[3]);
        double expected = f[1].equals("largest") ? exact[P - index] : exact[index - 1];
        assertEquals(expected, lambda, 1e-7 * scale, row);
        assertEquals(1 - LR * lambda, Double.parseDouble(f[4]), 1e-12, row);
      }
      String sharp = Files.readAllLines(out.resolve("sharpness.csv")).stream()
          .filter(l -> l.startsWith(step + ",")).findFirst().orElseThrow();
      String[] f = sharp.split(",");
      assertEquals(exact[P - 1], Double.parseDouble(f[1]), 1e-7 * scale, sharp);
      assertEquals(2 / LR, Double.parseDouble(f[2]), 0, sharp);
    }
    assertEquals('P', Files.readAllBytes(out.resolve("sharpness.png"))[1]);
    // an unsaved step is refused before any work
    r = Fixtures.run("spectrum", "--run", run.toString(), "--data", data.toString(), "--steps", "1",
        "--quiet", "--out", out.toString());
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--step 1"), r.toString());
  }

  /** log |det A| of a dense n x n matrix by Gaussian elimination with partial pivoting. */
  private static double logAbsDet(double[] a, int n) {
    a = a.clone();
    double sum = 0;
    for (int c = 0; c < n; c++) {
      int pivot = c;
      for (int r = c + 1; r < n; r++) {
        if (Math.abs(a[r * n + c]) > Math.abs(a[pivot * n + c])) {
          pivot = r;
        }
      }
      if (pivot != c) {
        for (int j = 0; j < n; j++) {
          double t = a[c * n + j];
          a[c * n + j] = a[pivot * n + j];
          a[pivot * n + j] = t;
        }
      }
      double d = a[c * n + c];
      sum += Math.log(Math.abs(d));
      for (int r = c + 1; r < n; r++) {
        double f = a[r * n + c] / d;
        if (f != 0) {
          for (int j = c; j < n; j++) {
            a[r * n + j] -= f * a[c * n + j];
          }
        }
      }
    }
    return sum;
  }

  @Test
  void allExponentsSumToTheMeanLogDeterminant() throws IOException {
    // With M = P, the exponents add up to (1/T) sum_t log |det Df(theta_t)| whatever the start
    // frame: an oracle independent of the QR method. Steps 1 and 3 are not saved, so this also
    // checks that the command recomputes them exactly.
    Path out = tmp.resolve("lyapunov");
    Fixtures.Result r = Fixtures.run("lyapunov", "--run", run.toString(), "--data", data.toString(),
        "--m", "" + P, "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    List<String> rows = Files.readAllLines(out.resolve("lyapunov.csv"));
    assertEquals("index,exponent", rows.get(0));
    assertEquals(P + 1, rows.size());
    double sum = 0;
    for (String row : rows.subList(1, rows.size())) {
      sum += Double.parseDouble(row.split(",")[1]);
    }
    double expected = 0;
    for (int t = 0; t < STEPS; t++) {
      expected += logAbsDet(dense(t), P) / STEPS;
    }
    assertEquals(expected, sum, 1e-8 * Math.max(1, Math.abs(expected)));
    List<String> history = Files.readAllLines(out.resolve("lyapunov_history.csv"));
    assertEquals(STEPS + 1, history.size());
    assertEquals(Arrays.asList(history.get(STEPS).split(",")).subList(1, P + 1),
        rows.subList(1, rows.size()).stream().map(l -> l.split(",")[1]).toList(),
        "the last running estimate is the result");
    assertEquals('P', Files.readAllBytes(out.resolve("lyapunov.png"))[1]);
  }

  @Test
  void leadingExponentIsTheGrowthOfTheTopDirection() throws IOException {
    // With M = 1 the exponent is (1/T) log ||Df_3 Df_2 Df_1 Df_0 v|| / ||v|| for the random
    // start v; after enough steps that approaches the top singular value's log, but with only 4
    // steps we check bounds: it cannot exceed the mean of log ||Df_t||_2.
    Path out = tmp.resolve("lyapunov1");
    Fixtures.Result r = Fixtures.run("lyapunov", "--run", run.toString(), "--data", data.toString(),
        "--m", "1", "--quiet", "--out", out.toString());
    assertEquals(0, r.code(), r.toString());
    double exponent = Double.parseDouble(Files.readAllLines(out.resolve("lyapunov.csv")).get(1).split(",")[1]);
    double bound = 0;
    for (int t = 0; t < STEPS; t++) {
      double[] lambda = hessianEigenvalues(t);
      double norm = Math.max(Math.abs(1 - LR * lambda[0]), Math.abs(1 - LR * lambda[P - 1]));
      bound += Math.log(norm) / STEPS;
    }
    assertTrue(exponent <= bound + 1e-12, exponent + " > " + bound);
    r = Fixtures.run("lyapunov", "--run", run.toString(), "--data", data.toString(), "--m", "0",
        "--quiet");
    assertEquals(2, r.code(), r.toString());
    assertTrue(r.err().contains("--m"), r.toString());
  }
}
