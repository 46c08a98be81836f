package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.dtheta.core.ProgressListener;
import org.junit.jupiter.api.Test;

/**
 * Hutchinson's trace, stochastic Lanczos quadrature and Lanczos warm starts on dense symmetric
 * matrices of known spectrum; the oracles are exact traces and EJML's eigenvalues.
 */
class StochasticEstimatesTest {

  private static final int N = 80;
  private static final double[] A = SpectralFixtures.withSpectrum(LanczosTest.clusteredSpectrum(N, 5), 6);
  private static final SpectralFixtures.DenseMap MAP = new SpectralFixtures.DenseMap(A, N);

  private static double trace(double[] a, int n) {
    double t = 0;
    for (int i = 0; i < n; i++) {
      t += a[i * n + i];
    }
    return t;
  }

  /** The variance of one Rademacher sample z^T B z: 2 (||B||_F^2 - sum_i B_ii^2). */
  private static double rademacherVariance(double[] b, int n) {
    double v = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        v += i == j ? 0 : b[i * n + j] * b[i * n + j];
      }
    }
    return 2 * v;
  }

  @Test
  void hutchinsonIsWithinThreeStandardErrorsAndIndependentOfTheBlock() {
    int samples = 400;
    Hutchinson.Estimate e = Hutchinson.trace(MAP, samples, 11, 7, ProgressListener.NONE);
    double exact = trace(A, N);
    assertTrue(Math.abs(e.trace() - exact) <= 3 * e.standardError(),
        e.trace() + " vs " + exact + " +- " + e.standardError());
    double theory = Math.sqrt(rademacherVariance(A, N) / samples);
    assertEquals(theory, e.standardError(), 0.2 * theory, "the standard error estimates the true one");
    Hutchinson.Estimate one = Hutchinson.trace(MAP, samples, 11, 1, ProgressListener.NONE);
    assertArrayEquals(e.values(), one.values(), "vectors do not depend on the block size");
    assertThrows(IllegalArgumentException.class,
        () -> Hutchinson.trace(MAP, 1, 11, 1, ProgressListener.NONE));
  }

  @Test
  void quadratureOverTheWholeSpaceHasTheEigenvaluesAsNodes() {
    StochasticLanczosQuadrature.Quadrature q =
        StochasticLanczosQuadrature.run(MAP, 2, N, 3, ProgressListener.NONE);
    double[] eigenvalues = SpectralFixtures.ejmlEigenvalues(A, N);
    for (int s = 0; s < 2; s++) {
      assertEquals(N, q.nodes()[s].length);
      double total = 0;
      for (int j = 0; j < N; j++) {
        assertEquals(eigenvalues[j], q.nodes()[s][j], 1e-9 * 12, "node " + j);
        total += q.weights()[s][j];
      }
      assertEquals(1, total, 1e-12, "weights of a unit start sum to 1");
    }
  }

  @Test
  void densityIntegratesToOneAndItsMomentsEstimateTraces() {
    int starts = 40;
    StochasticLanczosQuadrature.Quadrature q =
        StochasticLanczosQuadrature.run(MAP, starts, 20, 9, ProgressListener.NONE);
    double[] a2 = SpectralFixtures.multiply(A, A, N);
    double m1 = trace(A, N) / N;
    double m2 = trace(a2, N) / N;
    // each start's quadrature reproduces q^T A q and q^T A^2 q exactly (degree < 2 * 20), so the
    // spread is that of Rademacher samples, (1/n^2) of the trace estimator's variance per start
    double se1 = Math.sqrt(rademacherVariance(A, N) / ((double) N * N * starts));
    double se2 = Math.sqrt(rademacherVariance(a2, N) / ((double) N * N * starts));
    assertEquals(m1, q.moment(1), 4 * se1, "first moment");
    assertEquals(m2, q.moment(2), 4 * se2, "second moment");
    double sigma = q.defaultSigma();
    StochasticLanczosQuadrature.Density d = q.density(sigma, 20000);
    assertEquals(1, d.moment(0), 1e-6, "integral");
    assertEquals(q.moment(1), d.moment(1), 1e-6 * Math.abs(q.moment(1)) + 1e-9, "density mean");
    assertEquals(q.moment(2) + sigma * sigma, d.moment(2), 1e-6 * q.moment(2), "density second moment");
    for (double v : d.density()) {
      assertTrue(v >= 0);
    }
  }

  @Test
  void lanczosFromTheTopEigenvectorConvergesAtOnceToTheSameValue() {
    SpectrumResult cold = new Lanczos(MAP).largest(1).smallest(0).blockSize(2).tolerance(1e-10)
        .computeVectors(true).run();
    double[] top = cold.largest().vector(0);
    SpectrumResult warm = new Lanczos(MAP).largest(1).smallest(0).blockSize(2).tolerance(1e-10)
        .start(top).run();
    assertEquals(cold.largest().values()[0], warm.largest().values()[0], 1e-10 * 12);
    assertTrue(warm.krylovDimension() < cold.krylovDimension(),
        warm.krylovDimension() + " vs " + cold.krylovDimension());
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(MAP).start(new double[N]));
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(MAP).start(new double[3]).run());
  }
}
