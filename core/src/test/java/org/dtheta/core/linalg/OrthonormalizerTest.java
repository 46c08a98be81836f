package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Gram-Schmidt QR: Q^T Q = I, Q R = A, R upper triangular, dependent columns handled. */
class OrthonormalizerTest {

  @Test
  void qrOfRandomColumnsIsOrthonormalAndReproducesA() {
    int n = 300;
    int m = 7;
    double[] r = checkedQr(randomColumns(n, m, 1), n, m, 0.0, new SplittableRandom(2), 0);
    for (int i = 0; i < m; i++) {
      assertTrue(r[i * m + i] > 0.0, "positive diagonal");
      for (int j = 0; j < i; j++) {
        assertEquals(0.0, r[i * m + j], 0.0, "R below the diagonal");
      }
    }
  }

  @Test
  void dependentColumnGetsZeroDiagonalAndAnOrthonormalReplacement() {
    int n = 50;
    int m = 4;
    double[] a = randomColumns(n, m, 3);
    for (int i = 0; i < n; i++) {
      a[i * m + 2] = 2.0 * a[i * m] - a[i * m + 1]; // column 2 lies in the span of 0 and 1
    }
    // Exact dependence leaves rounding noise; a relative tolerance declares it dependent.
    double[] r = checkedQr(a, n, m, 1e-12, new SplittableRandom(4), 1);
    assertEquals(0.0, r[2 * m + 2], 0.0);
  }

  @Test
  void zeroColumnWithoutReplacementsStaysZero() {
    int n = 20;
    int m = 3;
    double[] a = randomColumns(n, m, 5);
    for (int i = 0; i < n; i++) {
      a[i * m + 1] = 0.0;
    }
    double[] q = a.clone();
    double[] r = new double[m * m];
    assertEquals(1, Orthonormalizer.qrColumns(q, n, m, r, 0.0, null));
    for (int i = 0; i < n; i++) {
      assertEquals(0.0, q[i * m + 1], 0.0);
    }
    assertProductEquals(a, q, r, n, m, 1e-13);
  }

  @Test
  void nearlyDependentColumnsStayOrthogonal() {
    int n = 200;
    int m = 3;
    double[] a = randomColumns(n, m, 6);
    Random rnd = new Random(7);
    for (int i = 0; i < n; i++) {
      a[i * m + 1] = a[i * m] + 1e-9 * rnd.nextGaussian();
      a[i * m + 2] = a[i * m] - a[i * m + 1] * (1 + 1e-10) + 1e-11 * rnd.nextGaussian();
    }
    checkedQr(a, n, m, 0.0, null, 0);
  }

  /** QR of a copy of {@code a}; checks the dependent count, Q^T Q = I and Q R = A; returns R. */
  static double[] checkedQr(double[] a, int n, int m, double dependenceTolerance,
      SplittableRandom replacements, int expectedDependent) {
    double[] q = a.clone();
    double[] r = new double[m * m];
    assertEquals(expectedDependent,
        Orthonormalizer.qrColumns(q, n, m, r, dependenceTolerance, replacements));
    SpectralFixtures.assertOrthonormalColumns(q, n, m, 1e-14);
    assertProductEquals(a, q, r, n, m, 1e-13);
    return r;
  }

  @Test
  void rowsAgainstABasisSplitIntoProjectionsAndNewDirections() {
    int n = 120;
    int basisCount = 9;
    int count = 4;
    double[] basis = new double[basisCount * n];
    Random rnd = new Random(8);
    for (int i = 0; i < basis.length; i++) {
      basis[i] = rnd.nextGaussian();
    }
    double[] r0 = new double[basisCount * basisCount];
    Orthonormalizer.orthonormalizeRows(basis, 0, basisCount, n, basis, 0, null, r0, 0.0, null);
    double[] original = new double[count * n];
    for (int i = 0; i < original.length; i++) {
      original[i] = rnd.nextGaussian();
    }
    // Make row 1 almost entirely a combination of basis rows: the hard case for one pass.
    for (int i = 0; i < n; i++) {
      original[n + i] = 1e6 * (basis[i] - 3 * basis[4 * n + i]) + original[n + i];
    }
    // Make row 3 almost row 2 plus a basis row: after the in-block step only 1e-9 of it is
    // left, so the rounding left along the basis would dominate without a further basis pass.
    for (int i = 0; i < n; i++) {
      original[3 * n + i] = original[2 * n + i] + basis[2 * n + i] + 1e-9 * rnd.nextGaussian();
    }
    double[] rows = original.clone();
    double[] proj = new double[basisCount * count];
    double[] r = new double[count * count];
    assertEquals(0, Orthonormalizer.orthonormalizeRows(rows, 0, count, n, basis, basisCount,
        proj, r, 1e-12, new SplittableRandom(1)));
    for (int c = 0; c < count; c++) {
      for (int i = 0; i < basisCount; i++) {
        assertEquals(0.0, dotRows(rows, c, basis, i, n), 1e-14, "row " + c + " vs basis " + i);
      }
      for (int e = 0; e <= c; e++) {
        assertEquals(c == e ? 1.0 : 0.0, dotRows(rows, c, rows, e, n), 1e-14);
      }
      for (int i = 0; i < n; i++) {
        double rebuilt = 0.0;
        for (int b = 0; b < basisCount; b++) {
          rebuilt += proj[b * count + c] * basis[b * n + i];
        }
        for (int e = 0; e <= c; e++) {
          rebuilt += r[e * count + c] * rows[e * n + i];
        }
        assertEquals(original[c * n + i], rebuilt, 1e-13 * (c == 1 ? 1e6 : 1.0));
      }
    }
  }

  @Test
  void rejectsBadShapes() {
    assertThrows(IllegalArgumentException.class,
        () -> Orthonormalizer.qrColumns(new double[5], 3, 2, new double[4], 0.0, null));
    double[] rows = new double[20];
    assertThrows(IllegalArgumentException.class, () -> Orthonormalizer.orthonormalizeRows(
        rows, 5, 2, 10, rows, 1, null, new double[4], 0.0, null)); // rows overlap the basis
    assertThrows(IllegalArgumentException.class, () -> Orthonormalizer.orthonormalizeRows(
        rows, 0, 2, 10, rows, 0, null, new double[4], 1.0, null));
  }

  static double[] randomColumns(int n, int m, long seed) {
    Random rnd = new Random(seed);
    double[] a = new double[n * m];
    for (int i = 0; i < a.length; i++) {
      a[i] = rnd.nextGaussian();
    }
    return a;
  }

  static double dotRows(double[] x, int i, double[] y, int j, int n) {
    double s = 0.0;
    for (int k = 0; k < n; k++) {
      s += x[i * n + k] * y[j * n + k];
    }
    return s;
  }

  /** A = Q R entry by entry, relative to the largest entry of A. */
  static void assertProductEquals(double[] a, double[] q, double[] r, int n, int m,
      double tolerance) {
    double scale = SpectralFixtures.maxAbs(a);
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < m; j++) {
        double s = 0.0;
        for (int k = 0; k < m; k++) {
          s += q[i * m + k] * r[k * m + j];
        }
        assertEquals(a[i * m + j], s, tolerance * scale, "QR at " + i + "," + j);
      }
    }
  }
}
