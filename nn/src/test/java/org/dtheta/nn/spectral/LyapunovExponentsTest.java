package org.dtheta.nn.spectral;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.core.linalg.SpectralFixtures;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.junit.jupiter.api.Test;

/** Lyapunov exponents of linear maps whose exponents are known in closed form or from EJML. */
class LyapunovExponentsTest {

  static SpectralFixtures.DenseMap diagonal(double[] d) {
    int n = d.length;
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      a[i * n + i] = d[i];
    }
    return new SpectralFixtures.DenseMap(a, n);
  }

  /** The {@code m} largest of {@code log|x_i|}, descending. */
  static double[] leadingLogs(double[] x, int m) {
    double[] logs = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      logs[i] = Math.log(Math.abs(x[i]));
    }
    Arrays.sort(logs);
    double[] top = new double[m];
    for (int i = 0; i < m; i++) {
      top[i] = logs[x.length - 1 - i];
    }
    return top;
  }

  @Test
  void constantDiagonalMapGivesSortedLogsOfItsEntries() {
    int n = 40;
    Random rnd = new Random(1);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = (rnd.nextBoolean() ? 1 : -1) * (0.1 + 0.7 * rnd.nextDouble());
    }
    d[7] = -3.0;
    d[19] = 2.0;
    d[3] = 1.4;
    d[33] = -1.1;
    SpectralFixtures.DenseMap map = diagonal(d);
    LyapunovResult r = new LyapunovExponents(5).seed(2).forward(t -> map, 3000);
    assertArrayEquals(leadingLogs(d, 5), r.exponents(), 3e-3);
    assertEquals(LyapunovExponents.TimeOrder.FORWARD, r.order());
    SpectralFixtures.assertOrthonormalColumns(r.vectors(), n, 5, 1e-13);
    // The leading vector has aligned with the most expanding axis (entry 7).
    assertEquals(1.0, Math.abs(r.vectors()[7 * 5]), 1e-12);
  }

  @Test
  void unitFrameOnADiagonalMapGivesExactHistory() {
    double[] d = {3.0, -2.0, 0.5, 0.25};
    int m = 3;
    double[] frame = new double[d.length * m];
    for (int j = 0; j < m; j++) {
      frame[j * m + j] = 1.0;
    }
    LyapunovResult r = new LyapunovExponents(m).initialVectors(frame)
        .forward(t -> diagonal(d), 10);
    double[] expected = {Math.log(3.0), Math.log(2.0), Math.log(0.5)};
    for (int s = 0; s < 10; s++) {
      assertArrayEquals(expected, r.estimateAfter(s), 1e-15, "step " + s);
    }
    assertArrayEquals(expected, r.exponents(), 1e-15);
  }

  @Test
  void annihilatedDirectionsGiveMinusInfinityOrRoundoff() {
    double[] d = {2.0, -0.5, 0.0};
    double[] identity = new double[9];
    for (int j = 0; j < 3; j++) {
      identity[j * 3 + j] = 1.0;
    }
    LyapunovResult exact = new LyapunovExponents(3).initialVectors(identity)
        .forward(t -> diagonal(d), 50);
    assertEquals(Math.log(2.0), exact.exponents()[0], 1e-15);
    assertEquals(Math.log(0.5), exact.exponents()[1], 1e-15);
    assertEquals(Double.NEGATIVE_INFINITY, exact.exponents()[2]);
    // From a generic frame the zero is only reached up to rounding: far below every real rate.
    LyapunovResult generic = new LyapunovExponents(3).seed(4).forward(t -> diagonal(d), 200);
    assertEquals(Math.log(2.0), generic.exponents()[0], 1e-2);
    assertEquals(Math.log(0.5), generic.exponents()[1], 1e-2);
    assertTrue(generic.exponents()[2] < -25.0, "got " + generic.exponents()[2]);
  }

  @Test
  void constantSymmetricMapGivesLogsOfItsEigenvalueModuli() {
    int n = 50;
    Random rnd = new Random(5);
    double[] d = new double[n];
    for (int i = 0; i < n; i++) {
      d[i] = -0.8 + 1.6 * rnd.nextDouble();
    }
    d[0] = 1.9;
    d[1] = -1.5;
    d[2] = 1.2;
    d[3] = 0.95;
    double[] a = SpectralFixtures.withSpectrum(d, 6);
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(a, n);
    LyapunovResult forward = new LyapunovExponents(4).seed(7).forward(t -> map, 3000);
    assertArrayEquals(leadingLogs(d, 4), forward.exponents(), 3e-3);
    LyapunovResult backward = new LyapunovExponents(4).seed(8).backwardSymmetric(t -> map, 3000);
    assertArrayEquals(leadingLogs(d, 4), backward.exponents(), 3e-3);
    assertEquals(LyapunovExponents.TimeOrder.BACKWARD, backward.order());
  }

  @Test
  void timeVaryingDiagonalProductAveragesTheLogs() {
    int n = 30;
    Random rnd = new Random(9);
    double[] even = new double[n];
    double[] odd = new double[n];
    double[] geometricMean = new double[n];
    for (int i = 0; i < n; i++) {
      even[i] = (rnd.nextBoolean() ? 1 : -1) * (0.2 + 2.8 * rnd.nextDouble());
      odd[i] = (rnd.nextBoolean() ? 1 : -1) * (0.2 + 2.8 * rnd.nextDouble());
      geometricMean[i] = Math.exp(0.5 * (Math.log(Math.abs(even[i])) + Math.log(Math.abs(odd[i]))));
    }
    SpectralFixtures.DenseMap a = diagonal(even);
    SpectralFixtures.DenseMap b = diagonal(odd);
    LyapunovResult r = new LyapunovExponents(4).seed(10)
        .forward(t -> t % 2 == 0 ? a : b, 4000);
    assertArrayEquals(leadingLogs(geometricMean, 4), r.exponents(), 3e-3);
  }

  @Test
  void periodicProductOfNonCommutingSymmetricMapsBothWays() {
    // J_t alternates A, B (symmetric positive definite, not commuting): over a period the frame
    // sees B A, whose eigenvalues are real and positive; the exponents are half their logs.
    int n = 12;
    Random rnd = new Random(11);
    double[] da = new double[n];
    double[] db = new double[n];
    for (int i = 0; i < n; i++) {
      da[i] = 0.2 + 2.5 * rnd.nextDouble();
      db[i] = 0.2 + 2.5 * rnd.nextDouble();
    }
    double[] a = SpectralFixtures.withSpectrum(da, 12);
    double[] b = SpectralFixtures.withSpectrum(db, 13);
    double[][] eig = SpectralFixtures.ejmlGeneralEigenvalues(SpectralFixtures.multiply(b, a, n), n);
    double[] rates = new double[n];
    for (int i = 0; i < n; i++) {
      assertEquals(0.0, eig[i][1], 1e-10, "B A has real eigenvalues");
      rates[i] = Math.sqrt(eig[i][0]);
    }
    double[] expected = leadingLogs(rates, 4);
    SpectralFixtures.DenseMap ma = new SpectralFixtures.DenseMap(a, n);
    SpectralFixtures.DenseMap mb = new SpectralFixtures.DenseMap(b, n);
    LyapunovResult forward = new LyapunovExponents(4).seed(14)
        .forward(t -> t % 2 == 0 ? ma : mb, 6000);
    assertArrayEquals(expected, forward.exponents(), 3e-3);
    LyapunovResult backward = new LyapunovExponents(4).seed(15)
        .backwardSymmetric(t -> t % 2 == 0 ? ma : mb, 6000);
    assertArrayEquals(expected, backward.exponents(), 3e-3);
    // The running estimates settle: the last half of the history moves little.
    double[] middle = forward.estimateAfter(2999);
    assertArrayEquals(forward.exponents(), middle, 3e-3);
  }

  @Test
  void backwardUsesTransposesInReverseOrderAndFindsLeftEigenvectors() {
    // M = S diag(d) S^-1 is not symmetric: forward the leading vector aligns with the right
    // eigenvector S e_0, backward (with M^T) with the left one, row 0 of S^-1.
    int n = 8;
    double[] d = {3.0, -2.0, 1.5, 0.9, 0.5, -0.4, 0.3, 0.1};
    DMatrixRMaj s = RandomMatrices_DDRM.rectangle(n, n, -1, 1, new Random(16));
    DMatrixRMaj sInv = s.copy();
    assertTrue(CommonOps_DDRM.invert(sInv));
    DMatrixRMaj sd = s.copy();
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        sd.set(i, j, s.get(i, j) * d[j]);
      }
    }
    DMatrixRMaj m = new DMatrixRMaj(n, n);
    CommonOps_DDRM.mult(sd, sInv, m);
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(m.data, n);
    SpectralFixtures.DenseMap transposed =
        new SpectralFixtures.DenseMap(SpectralFixtures.transpose(m.data, n), n);

    int steps = 400;
    List<Integer> requested = new ArrayList<>();
    LyapunovResult backward = new LyapunovExponents(2).seed(17).backward(t -> {
      requested.add(t);
      return transposed;
    }, steps);
    for (int i = 0; i < steps; i++) {
      assertEquals(steps - 1 - i, requested.get(i), "request " + i);
    }
    LyapunovResult forward = new LyapunovExponents(2).seed(18).forward(t -> map, steps);
    double[] expected = leadingLogs(d, 2);
    assertArrayEquals(expected, forward.exponents(), 2e-2);
    assertArrayEquals(expected, backward.exponents(), 2e-2);

    double[] right = new double[n];
    double[] left = new double[n];
    for (int i = 0; i < n; i++) {
      right[i] = s.get(i, 0);
      left[i] = sInv.get(0, i);
    }
    assertEquals(1.0, Math.abs(cosine(column(forward.vectors(), n, 2, 0), right)), 1e-12);
    assertEquals(1.0, Math.abs(cosine(column(backward.vectors(), n, 2, 0), left)), 1e-12);
    assertTrue(Math.abs(cosine(right, left)) < 0.999, "left and right differ in this fixture");
  }

  @Test
  void progressAndBadInput() {
    SpectralFixtures.DenseMap map = diagonal(new double[] {1, 2, 3});
    List<int[]> calls = new ArrayList<>();
    new LyapunovExponents(2).progress((done, total) -> calls.add(new int[] {(int) done, (int) total}))
        .forward(t -> map, 5);
    assertEquals(5, calls.size());
    for (int i = 0; i < 5; i++) {
      assertArrayEquals(new int[] {i + 1, 5}, calls.get(i));
    }
    SpectralFixtures.DenseMap other = diagonal(new double[] {1, 2});
    IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
        () -> new LyapunovExponents(2).forward(t -> t == 3 ? other : map, 5));
    assertTrue(mismatch.getMessage().contains("step 3"), mismatch.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new LyapunovExponents(4).forward(t -> map, 5));
    assertThrows(IllegalArgumentException.class,
        () -> new LyapunovExponents(2).initialVectors(new double[5]).forward(t -> map, 5));
    LinearMap nan = SpectralFixtures.filledMap(3, Double.POSITIVE_INFINITY);
    assertThrows(IllegalStateException.class, () -> new LyapunovExponents(1).forward(t -> nan, 2));
  }

  static double[] column(double[] a, int n, int m, int j) {
    double[] c = new double[n];
    for (int i = 0; i < n; i++) {
      c[i] = a[i * m + j];
    }
    return c;
  }

  static double cosine(double[] x, double[] y) {
    return SpectralFixtures.dot(x, y)
        / Math.sqrt(SpectralFixtures.dot(x, x) * SpectralFixtures.dot(y, y));
  }
}
