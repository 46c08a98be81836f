package org.dtheta.nn;

import static org.dtheta.core.ReadmeExamples.assertClose;
import static org.dtheta.core.ReadmeExamples.compileAndRun;
import static org.dtheta.core.ReadmeExamples.number;
import static org.dtheta.core.ReadmeExamples.numbers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.dtheta.core.linalg.SpectralFixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's three-layer {@code nn} example ("Use as a dependency", class {@code ThreeLayers})
 * compiles against this module, runs, and prints numbers that this test recomputes without
 * {@code Trainer}, {@code UpdateMap} or {@code Lanczos}: the losses of plain gradient descent
 * on {@link Mlp#lossAndGradient}, {@code v - alpha H v} from {@link Mlp#hessianTimes}, and the
 * largest eigenvalues of the dense Hessian by EJML. Compiling, running and reading are core's
 * {@link org.dtheta.core.ReadmeExamples} (core's test-jar).
 */
class ReadmeMlpExampleTest {

  private static final int[] SIZES = {4, 8, 6, 3};
  private static final double ALPHA = 0.5;
  private static final int STEPS = 25;

  @Test
  void threeLayerExampleTrainsAndPrintsDfvAndTheTopHessianEigenvalues(@TempDir Path dir)
      throws Exception {
    String output = compileAndRun("## Use as a dependency", "ThreeLayers", dir);

    // the example's data and start, drawn the same way
    Random random = new Random(1);
    int k = 40;
    double[] x = new double[k * 4];
    int[] labels = new int[k];
    for (int i = 0; i < k; i++) {
      for (int j = 0; j < 4; j++) {
        x[4 * i + j] = random.nextGaussian();
      }
      labels[i] = x[4 * i] > 0 ? (x[4 * i + 1] > 0 ? 0 : 1) : 2;
    }
    Mlp net = new Mlp(SIZES, Activation.TANH, 1e-3, Dataset.ofLabels(x, labels, 4, 3));
    int p = net.dimension();
    assertEquals(4 * 8 + 8 + 8 * 6 + 6 + 6 * 3 + 3, p);
    assertEquals(p, (int) number(output, "P"));
    double[] theta = new double[p];
    for (int i = 0; i < p; i++) {
      theta[i] = 0.5 * random.nextGaussian();
    }

    // plain gradient descent
    double[] gradient = new double[p];
    double first = Double.NaN;
    double last = Double.NaN;
    for (int s = 0; s < STEPS; s++) {
      last = net.lossAndGradient(theta, gradient);
      if (s == 0) {
        first = last;
      }
      for (int i = 0; i < p; i++) {
        theta[i] -= ALPHA * gradient[i];
      }
    }
    assertClose(first, number(output, "first loss"), "first loss");
    assertClose(last, number(output, "last loss"), "last loss");
    assertTrue(last < 0.9 * first, "the loss decreases: " + first + " -> " + last);

    // Df v = v - alpha H v
    double[] v = new double[p];
    v[0] = 1;
    v[p - 1] = -1;
    double[] hv = new double[p];
    net.hessianTimes(theta, v, 1, hv);
    double[] dfv = new double[p];
    for (int i = 0; i < p; i++) {
      dfv[i] = v[i] - ALPHA * hv[i];
    }
    assertClose(dfv, numbers(output, "Df v"), "Df v");

    // the dense Hessian's three largest eigenvalues
    double[] identity = new double[p * p];
    for (int i = 0; i < p; i++) {
      identity[i * p + i] = 1;
    }
    double[] hessian = new double[p * p];
    net.hessianTimes(theta, identity, p, hessian);
    double[] all = SpectralFixtures.ejmlEigenvalues(SpectralFixtures.symmetrized(hessian, p), p);
    double[] expected = {all[p - 1], all[p - 2], all[p - 3]};
    double[] printed = numbers(output, "top eigenvalues");
    double[] descending = printed.clone();
    Arrays.sort(descending);
    double[] actual = {descending[2], descending[1], descending[0]};
    assertEquals(3, printed.length);
    for (int j = 0; j < 3; j++) {
      assertEquals(expected[j], actual[j], 1e-8 * Math.abs(expected[0]), "eigenvalue " + j);
    }
  }
}
