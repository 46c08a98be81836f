package org.dtheta.core;

import static org.dtheta.core.ReadmeExamples.assertClose;
import static org.dtheta.core.ReadmeExamples.compileAndRun;
import static org.dtheta.core.ReadmeExamples.number;
import static org.dtheta.core.ReadmeExamples.numbers;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java examples in the README's "Use the library" and "Use as a dependency" sections compile
 * against this module, run, and print the value, gradient and Hessian-vector product of their
 * function (the same in both) as computed here in closed form (the "Batches" example, the
 * gradients of that function on a rebound batch and on a batch of another size); the second also prints the
 * Hessian's extreme eigenvalues, found by Lanczos on Hessian products, which must be those of
 * the closed-form 2 x 2 Hessian. The compiling, running and reading is {@link ReadmeExamples}'.
 */
class ReadmeExampleTest {

  @Test
  void readmeExampleCompilesRunsAndPrintsTheClosedFormDerivatives(@TempDir Path dir)
      throws Exception {
    String output = compileAndRun("## Use the library", dir);
    assertDerivatives(output);
  }

  @Test
  void dependencyExamplePrintsTheDerivativesAndTheHessianEigenvalues(@TempDir Path dir)
      throws Exception {
    String output = compileAndRun("## Use as a dependency", dir);
    assertDerivatives(output);
    double[] eigenvalues = expectedHessianEigenvalues();
    assertClose(new double[] {eigenvalues[1]}, numbers(output, "largest"), "largest");
    assertClose(new double[] {eigenvalues[0]}, numbers(output, "smallest"), "smallest");
  }

  @Test
  void batchesExampleRebindsConstantsAndRecordsAgainForANewSize(@TempDir Path dir)
      throws Exception {
    String output = compileAndRun("## Use the library", "Batches", dir);
    assertClose(expectedGradient(), numbers(output, "batch 1 gradient"), "batch 1 gradient");
    assertClose(expectedGradient(BATCH_2_X, BATCH_2_Y), numbers(output, "batch 2 gradient"),
        "batch 2 gradient");
    double[][] x5 = {X[0], X[1], X[2], BATCH_2_X[0], BATCH_2_X[1]};
    double[] y5 = {Y[0], Y[1], Y[2], BATCH_2_Y[0], BATCH_2_Y[1]};
    assertClose(expectedGradient(x5, y5), numbers(output, "5 samples gradient"),
        "5 samples gradient");
  }

  private static void assertDerivatives(String output) {
    assertClose(expectedValue(), number(output, "value"), "value");
    assertClose(expectedGradient(), numbers(output, "gradient"), "gradient");
    assertClose(expectedHessianTimes(new double[] {1, -1}), numbers(output, "H v"), "H v");
  }

  // ---- the example's function in closed form ----
  // f(w) = sum_i (tanh(x_i . w) - y_i)^2 + (lambda/2)|w|^2 at w = (0.3, -0.4); with t = tanh(z),
  // r = t - y: grad = X^T (2 r (1 - t^2)) + lambda w,
  // H = X^T diag(2 (1 - t^2)^2 - 4 r t (1 - t^2)) X + lambda I.

  private static final double[][] X = {{1, 2}, {0, 1}, {-1, 0.5}};
  private static final double[] Y = {0.5, 0, -0.5};
  private static final double LAMBDA = 0.1;
  private static final double[] W = {0.3, -0.4};
  /** The second batch of the "Batches" example. */
  private static final double[][] BATCH_2_X = {{0.5, -1}, {2, 0}, {1, 1}};
  private static final double[] BATCH_2_Y = {0, 0.5, -0.5};

  private static double tanhOfRow(int i) {
    return tanhOfRow(X, i);
  }

  private static double tanhOfRow(double[][] x, int i) {
    return Math.tanh(x[i][0] * W[0] + x[i][1] * W[1]);
  }

  private static double expectedValue() {
    double f = 0.5 * LAMBDA * (W[0] * W[0] + W[1] * W[1]);
    for (int i = 0; i < X.length; i++) {
      double r = tanhOfRow(i) - Y[i];
      f += r * r;
    }
    return f;
  }

  private static double[] expectedGradient() {
    return expectedGradient(X, Y);
  }

  /** The gradient of the same function on other data {@code x} (rows) and {@code y}. */
  private static double[] expectedGradient(double[][] x, double[] y) {
    double[] g = {LAMBDA * W[0], LAMBDA * W[1]};
    for (int i = 0; i < x.length; i++) {
      double t = tanhOfRow(x, i);
      double dz = 2 * (t - y[i]) * (1 - t * t);
      g[0] += dz * x[i][0];
      g[1] += dz * x[i][1];
    }
    return g;
  }

  private static double[] expectedHessianTimes(double[] v) {
    double[] hv = {LAMBDA * v[0], LAMBDA * v[1]};
    for (int i = 0; i < X.length; i++) {
      double t = tanhOfRow(i);
      double s = 1 - t * t;
      double curvature = 2 * s * s - 4 * (t - Y[i]) * t * s;
      double xv = X[i][0] * v[0] + X[i][1] * v[1];
      hv[0] += curvature * xv * X[i][0];
      hv[1] += curvature * xv * X[i][1];
    }
    return hv;
  }

  /** The eigenvalues of the closed-form Hessian (columns {@code H e1}, {@code H e2}), ascending. */
  private static double[] expectedHessianEigenvalues() {
    double[] c1 = expectedHessianTimes(new double[] {1, 0});
    double[] c2 = expectedHessianTimes(new double[] {0, 1});
    double a = c1[0];
    double b = 0.5 * (c1[1] + c2[0]);
    double d = c2[1];
    double mean = 0.5 * (a + d);
    double radius = Math.hypot(0.5 * (a - d), b);
    return new double[] {mean - radius, mean + radius};
  }
}
