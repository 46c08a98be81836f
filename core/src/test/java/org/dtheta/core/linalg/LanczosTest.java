package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Lanczos against EJML's dense symmetric eigensolver, on constructed spectra and a Hessian. */
class LanczosTest {

  /**
   * n eigenvalues: a bulk in [-1, 2], a cluster at the top (spacing 1e-3), a cluster of
   * negative ones at the bottom, and a well separated largest one.
   */
  static double[] clusteredSpectrum(int n, long seed) {
    Random rnd = new Random(seed);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = -1.0 + 3.0 * rnd.nextDouble();
    }
    d[0] = 12.0;
    d[1] = 8.0;
    d[2] = 8.001;
    d[3] = 8.002;
    d[4] = -6.0;
    d[5] = -6.0005;
    d[6] = -3.0;
    return d;
  }

  @ParameterizedTest(name = "n={0} block={1} maxK={2}")
  @CsvSource({"30, 1, 30", "77, 1, 77", "77, 3, 60", "120, 4, 100", "200, 1, 150",
      "200, 5, 160"})
  void clusteredAndNegativeSpectrumMatchesEjml(int n, int block, int maxK) {
    double[] a = SpectralFixtures.withSpectrum(clusteredSpectrum(n, n), n + block);
    double[] expected = SpectralFixtures.ejmlEigenvalues(a, n);
    // The separated ends: 4 at the top (one cluster of 3), 3 at the bottom (a pair 5e-4 apart).
    SpectrumResult s = new Lanczos(new SpectralFixtures.DenseMap(a, n))
        .largest(4).smallest(3).blockSize(block).maxKrylovDimension(maxK)
        .tolerance(1e-10).seed(3).run();
    assertTrue(s.allConverged(), "converged, stop " + s.stop() + " at K " + s.krylovDimension());
    assertEquals(SpectrumResult.Stop.CONVERGED, s.stop());
    assertTopAndBottom(expected, s, 1e-8);
  }

  @ParameterizedTest(name = "GOE n={0} block={1}")
  @CsvSource({"30, 1", "64, 2", "150, 3"})
  void randomSymmetricMatrixWithWholeSpaceBudget(int n, int block) {
    double[] a = SpectralFixtures.randomSymmetric(n, 40 + n);
    double[] expected = SpectralFixtures.ejmlEigenvalues(a, n);
    SpectrumResult s = new Lanczos(new SpectralFixtures.DenseMap(a, n))
        .largest(4).smallest(4).blockSize(block).maxKrylovDimension(n).tolerance(1e-9)
        .seed(11).computeVectors(true).run();
    assertTrue(s.allConverged());
    assertTopAndBottom(expected, s, 1e-7);
  }

  @Test
  void ritzVectorsAreEigenvectorsAndResidualsAreMeasuredHonestly() {
    int n = 90;
    double[] a = SpectralFixtures.withSpectrum(clusteredSpectrum(n, 2), 2);
    SpectralFixtures.DenseMap dense = new SpectralFixtures.DenseMap(a, n);
    SpectrumResult s = new Lanczos(dense).largest(4).smallest(3).blockSize(2)
        .maxKrylovDimension(80).tolerance(1e-9).seed(5).computeVectors(true).run();
    for (Eigenpairs pairs : List.of(s.largest(), s.smallest())) {
      for (int j = 0; j < pairs.count(); j++) {
        double[] v = pairs.vector(j);
        assertEquals(1.0, Math.sqrt(SpectralFixtures.dot(v, v)), 1e-12);
        double[] r = dense.times(v);
        for (int i = 0; i < n; i++) {
          r[i] -= pairs.values()[j] * v[i];
        }
        double residual = Math.sqrt(SpectralFixtures.dot(r, r));
        assertTrue(residual <= 1e-9 * s.normEstimate(), "||Av - lambda v|| = " + residual);
        assertEquals(residual, pairs.measuredResiduals()[j], 1e-12 * s.normEstimate());
        // The free estimate from the recurrence agrees with the measured residual.
        assertEquals(pairs.measuredResiduals()[j], pairs.residualEstimates()[j],
            1e-11 * s.normEstimate());
      }
      for (int j = 0; j < pairs.count(); j++) {
        for (int l = 0; l < j; l++) {
          assertEquals(0.0, SpectralFixtures.dot(pairs.vector(j), pairs.vector(l)), 1e-9);
        }
      }
    }
    assertEquals(s.krylovDimension() + 7, s.vectorsApplied(), "Krylov blocks plus the check");
  }

  @ParameterizedTest(name = "block {0}")
  @CsvSource({"1", "3"})
  void unconvergedRunReportsFlagsThatMatchTheTruth(int block) {
    int n = 200;
    double[] a = SpectralFixtures.withSpectrum(clusteredSpectrum(n, 7), 7);
    double[] expected = SpectralFixtures.ejmlEigenvalues(a, n);
    Lanczos lanczos = new Lanczos(new SpectralFixtures.DenseMap(a, n)).largest(4).smallest(4)
        .blockSize(block).maxKrylovDimension(12).tolerance(1e-10).seed(1);
    SpectrumResult s = lanczos.run();
    assertEquals(SpectrumResult.Stop.MAX_KRYLOV_DIMENSION, s.stop());
    assertEquals(12, s.krylovDimension());
    // The estimates (from the last block of each eigenvector only) equal the residuals measured
    // on the Ritz vectors of the same run.
    SpectrumResult measured = lanczos.computeVectors(true).run();
    assertArrayEquals(s.largest().residualEstimates(), measured.largest().measuredResiduals(),
        1e-10 * s.normEstimate());
    assertArrayEquals(s.smallest().residualEstimates(), measured.smallest().measuredResiduals(),
        1e-10 * s.normEstimate());
    assertFalse(s.allConverged(), "12 Krylov vectors cannot resolve a 1e-3 cluster");
    for (Eigenpairs pairs : List.of(s.largest(), s.smallest())) {
      for (int j = 0; j < pairs.count(); j++) {
        // Whatever the flag, a residual rho guarantees an eigenvalue within rho.
        double rho = pairs.residualEstimates()[j];
        double nearest = Double.POSITIVE_INFINITY;
        for (double lambda : expected) {
          nearest = Math.min(nearest, Math.abs(lambda - pairs.values()[j]));
        }
        assertTrue(nearest <= rho * (1 + 1e-6) + 1e-12 * s.normEstimate(),
            "eigenvalue within the residual: distance " + nearest + ", residual " + rho);
        assertEquals(rho <= 1e-10 * s.normEstimate(), pairs.converged()[j]);
      }
    }
  }

  @Test
  void blockSizeResolvesMultiplicityThatSingleVectorLanczosCannot() {
    int n = 60;
    double[] d = clusteredSpectrum(n, 4);
    d[0] = 5.0;
    d[1] = 5.0;
    d[2] = 5.0;
    d[3] = 4.0;
    double[] a = SpectralFixtures.withSpectrum(d, 4);
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(a, n);
    SpectrumResult block = new Lanczos(map).largest(4).smallest(0).blockSize(3)
        .maxKrylovDimension(60).tolerance(1e-10).run();
    assertEquals(5.0, block.largest().values()[0], 1e-9);
    assertEquals(5.0, block.largest().values()[1], 1e-9);
    assertEquals(5.0, block.largest().values()[2], 1e-9);
    assertEquals(4.0, block.largest().values()[3], 1e-9);
    // One start vector spans one direction of the 3-dimensional eigenspace: 5 appears once.
    SpectrumResult single = new Lanczos(map).largest(2).smallest(0).blockSize(1)
        .maxKrylovDimension(59).tolerance(1e-10).run();
    assertEquals(5.0, single.largest().values()[0], 1e-9);
    assertEquals(4.0, single.largest().values()[1], 1e-9);
  }

  @Test
  void lowRankMapExhaustsItsKrylovSpaceAndRestarts() {
    // Rank 3: the Krylov space from one vector is invariant after 4 steps; the iteration must
    // continue from fresh directions and still report the zero eigenvalues and the ends.
    int n = 40;
    double[] d = new double[n];
    d[0] = 3.0;
    d[1] = -2.0;
    d[2] = 1.0;
    double[] a = SpectralFixtures.withSpectrum(d, 9);
    SpectrumResult s = new Lanczos(new SpectralFixtures.DenseMap(a, n)).largest(2).smallest(2)
        .maxKrylovDimension(n).tolerance(1e-10).computeVectors(true).run();
    assertTrue(s.allConverged());
    assertEquals(3.0, s.largest().values()[0], 1e-12);
    assertEquals(1.0, s.largest().values()[1], 1e-12);
    assertEquals(-2.0, s.smallest().values()[0], 1e-12);
    assertEquals(0.0, s.smallest().values()[1], 1e-12);
  }

  @ParameterizedTest(name = "block {0}")
  @CsvSource({"1", "8"})
  void twoLayerNetworkHessianMatchesEjml(int block) {
    SpectralFixtures.TwoLayerHessian net = new SpectralFixtures.TwoLayerHessian(21);
    int p = net.p;
    double[] expected = SpectralFixtures.ejmlEigenvalues(net.dense(), p);
    assertTrue(expected[2] < 0.0, "the fixture should have negative curvature");
    SpectrumResult s = new Lanczos(net.map()).largest(3).smallest(3).blockSize(block)
        .maxKrylovDimension(p / block * block).tolerance(1e-8).seed(2).computeVectors(true)
        .run();
    assertTrue(s.allConverged(), "stop " + s.stop());
    assertTopAndBottom(expected, s, 1e-7);
    assertTrue(s.asymmetry() < 1e-12, "forward-over-reverse Hessian is symmetric");
  }

  @Test
  void asymmetryExposesANonSymmetricMap() {
    int n = 60;
    double[] a = SpectralFixtures.randomSymmetric(n, 31);
    SpectrumResult symmetric = new Lanczos(new SpectralFixtures.DenseMap(a, n)).blockSize(2)
        .maxKrylovDimension(30).run();
    assertTrue(symmetric.asymmetry() < 1e-13, "symmetric: " + symmetric.asymmetry());
    double[] skewed = a.clone();
    skewed[3 * n + 40] += 0.5; // one entry off: A is no longer symmetric
    SpectrumResult broken = new Lanczos(new SpectralFixtures.DenseMap(skewed, n)).blockSize(2)
        .maxKrylovDimension(30).run();
    assertTrue(broken.asymmetry() > 1e-3, "non-symmetric: " + broken.asymmetry());
  }

  /**
   * A map like the MNIST Hessian: a 200-fold exact zero eigenvalue (dead units) among 40 others.
   * The projected matrices then carry clusters of near-zero Ritz values, all the more once the
   * Krylov space exhausts an invariant subspace and fresh random directions are added; an
   * unreachable tolerance drives the run through the whole 240-dimensional space, where the
   * projected matrix has the 200 zeros itself. (A block of b vectors sees only about b copies
   * of a repeated eigenvalue before that, so smallest() counts at most b zeros when it stops
   * early; the PSD cases ask for no more than that.)
   */
  @ParameterizedTest(name = "block={0} smallest={1} psd={2} tolerance={3}")
  @CsvSource({"3, 3, false, 1e-10", "4, 4, true, 1e-10", "4, 3, false, 1e-300",
      "5, 6, true, 1e-300", "1, 2, true, 1e-300"})
  void twoHundredFoldZeroEigenvalue(int block, int smallest, boolean psd, double tolerance) {
    int zeros = 200;
    int n = zeros + 40;
    Random rnd = new Random(block);
    double[] spectrum = new double[n];
    for (int i = zeros; i < n; i++) {
      spectrum[i] = psd ? 0.5 + 2.0 * rnd.nextDouble() : -1.0 + 3.0 * rnd.nextDouble();
    }
    spectrum[zeros] = 9.0;
    spectrum[zeros + 1] = 6.0;
    spectrum[zeros + 2] = 5.5;
    if (!psd) {
      spectrum[zeros + 3] = -4.0;
      spectrum[zeros + 4] = -2.5;
    }
    double[] a = SpectralFixtures.withSpectrum(spectrum, 7 + block);
    double[] expected = spectrum.clone();
    Arrays.sort(expected);
    SpectrumResult s = new Lanczos(new SpectralFixtures.DenseMap(a, n))
        .largest(3).smallest(smallest).blockSize(block).maxKrylovDimension(n)
        .tolerance(tolerance).seed(13).computeVectors(true).run();
    if (tolerance < 1e-100) {
      // Residual estimates reach exactly 0 only with the whole space in the basis.
      assertEquals(n, s.krylovDimension());
    } else {
      assertTrue(s.allConverged(), "converged, stop " + s.stop() + " at K " + s.krylovDimension());
      assertTrue(s.krylovDimension() < n, "stopped early, K " + s.krylovDimension());
    }
    assertTopAndBottom(expected, s, 1e-9);
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(a, n);
    for (Eigenpairs pairs : List.of(s.largest(), s.smallest())) {
      for (int j = 0; j < pairs.count(); j++) {
        double[] v = pairs.vector(j);
        double[] av = map.times(v);
        for (int i = 0; i < n; i++) {
          av[i] -= pairs.values()[j] * v[i];
        }
        assertEquals(1.0, Math.sqrt(SpectralFixtures.dot(v, v)), 1e-10, "unit Ritz vector");
        assertTrue(Math.sqrt(SpectralFixtures.dot(av, av)) <= 1e-8 * 9.0,
            "residual of Ritz pair " + j + ": " + Math.sqrt(SpectralFixtures.dot(av, av)));
      }
    }
  }

  @Test
  void progressIsReportedPerBlock() {
    int n = 40;
    double[] a = SpectralFixtures.randomSymmetric(n, 1);
    List<int[]> calls = new ArrayList<>();
    SpectrumResult s = new Lanczos(new SpectralFixtures.DenseMap(a, n)).blockSize(4)
        .maxKrylovDimension(n).progress((done, total) -> calls.add(new int[] {(int) done, (int) total}))
        .run();
    assertEquals(s.krylovDimension() / 4, calls.size());
    for (int i = 0; i < calls.size(); i++) {
      assertEquals(4 * (i + 1), calls.get(i)[0]);
      assertEquals(n, calls.get(i)[1]);
    }
  }

  @Test
  void badInputIsRejectedWithAMessage() {
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(new double[16], 4);
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(map).blockSize(5).run());
    IllegalArgumentException tooMany = assertThrows(IllegalArgumentException.class,
        () -> new Lanczos(map).largest(3).blockSize(2).maxKrylovDimension(3).run());
    assertTrue(tooMany.getMessage().contains("at most 2"), tooMany.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Lanczos(map).tolerance(0.0));
    LinearMap broken = SpectralFixtures.filledMap(4, Double.NaN);
    IllegalStateException nan =
        assertThrows(IllegalStateException.class, () -> new Lanczos(broken).run());
    assertTrue(nan.getMessage().contains("non-finite"), nan.getMessage());
  }

  /** Top k (descending) and bottom k (ascending) Ritz values equal the true ends. */
  static void assertTopAndBottom(double[] ascending, SpectrumResult s, double relative) {
    int n = ascending.length;
    double scale = Math.max(Math.abs(ascending[0]), Math.abs(ascending[n - 1]));
    double[] top = s.largest().values();
    for (int j = 0; j < top.length; j++) {
      assertEquals(ascending[n - 1 - j], top[j], relative * scale, "largest #" + j);
    }
    double[] bottom = s.smallest().values();
    for (int j = 0; j < bottom.length; j++) {
      assertEquals(ascending[j], bottom[j], relative * scale, "smallest #" + j);
    }
  }
}
