package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The dense symmetric eigensolver against EJML and against the definition A v = lambda v. */
class SymmetricEigensolverTest {

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3, 7, 30, 121})
  void randomSymmetricMatchesEjmlAndEigenpairsHold(int n) {
    double[] a = SpectralFixtures.randomSymmetric(n, 100 + n);
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    double scale = SpectralFixtures.maxAbs(SpectralFixtures.ejmlEigenvalues(a, n));
    assertArrayEquals(SpectralFixtures.ejmlEigenvalues(a, n), d.values(), 1e-12 * scale * n);
    assertEigenpairs(a, n, d, 1e-12 * scale * n);
  }

  @Test
  void repeatedAndClusteredEigenvaluesKeepOrthonormalVectors() {
    double[] spectrum = {-3, -3, -3, 0, 0, 1e-9, 2, 2 + 1e-10, 7, 7, 7, 7};
    int n = spectrum.length;
    double[] a = SpectralFixtures.withSpectrum(spectrum, 5);
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    double[] expected = spectrum.clone();
    java.util.Arrays.sort(expected);
    assertArrayEquals(expected, d.values(), 1e-13 * 7 * n);
    assertEigenpairs(a, n, d, 1e-13 * 7 * n);
  }

  @Test
  void projectedEigenvectorsReproduceTheQuadraticForms() {
    // W = V^T P: sign-free checks are W^T W = P^T P and W^T diag(lambda) W = P^T A P.
    int n = 45;
    int c = 3;
    double[] a = SpectralFixtures.randomSymmetric(n, 77);
    double[] p = OrthonormalizerTest.randomColumns(n, c, 78);
    double[] w = p.clone();
    double[] values = SymmetricEigensolver.decompose(a, n, w, c);
    assertArrayEquals(SpectralFixtures.ejmlEigenvalues(a, n), values, 1e-12 * n);
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(a, n);
    double[] ap = new double[n * c];
    map.apply(p, c, ap);
    for (int x = 0; x < c; x++) {
      for (int y = 0; y < c; y++) {
        double gram = 0.0;
        double form = 0.0;
        double expectedGram = 0.0;
        double expectedForm = 0.0;
        for (int j = 0; j < n; j++) {
          gram += w[j * c + x] * w[j * c + y];
          form += values[j] * w[j * c + x] * w[j * c + y];
          expectedGram += p[j * c + x] * p[j * c + y];
          expectedForm += p[j * c + x] * ap[j * c + y];
        }
        assertEquals(expectedGram, gram, 1e-11, "W^T W at " + x + "," + y);
        assertEquals(expectedForm, form, 1e-10, "W^T Lambda W at " + x + "," + y);
      }
    }
  }

  @Test
  void diagonalInputSkipsReflectorsAndSorts() {
    int n = 5;
    double[] a = new double[n * n];
    double[] diag = {4, -1, 0, 9, 2};
    for (int i = 0; i < n; i++) {
      a[i * n + i] = diag[i];
    }
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    assertArrayEquals(new double[] {-1, 0, 2, 4, 9}, d.values(), 0.0);
    assertEigenpairs(a, n, d, 0.0);
  }

  @Test
  void tridiagonalMatchesEjmlOnTheSameDenseMatrix() {
    int n = 40;
    java.util.Random rnd = new java.util.Random(9);
    double[] diag = new double[n];
    double[] off = new double[n - 1];
    double[] dense = new double[n * n];
    for (int i = 0; i < n; i++) {
      diag[i] = rnd.nextGaussian();
      dense[i * n + i] = diag[i];
      if (i + 1 < n) {
        off[i] = rnd.nextGaussian();
        dense[i * n + i + 1] = off[i];
        dense[(i + 1) * n + i] = off[i];
      }
    }
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.tridiagonal(diag, off, true);
    assertArrayEquals(SpectralFixtures.ejmlEigenvalues(dense, n), d.values(), 1e-12 * n);
    assertEigenpairs(dense, n, d, 1e-12 * n);
    assertNull(SymmetricEigensolver.tridiagonal(diag, off, false).vectors());
  }

  @Test
  void usesTheSymmetricPartAndRejectsBadInput() {
    double[] a = {1, 2, 0, 1}; // symmetric part [[1,1],[1,1]]: eigenvalues 0 and 2
    assertArrayEquals(new double[] {0, 2},
        SymmetricEigensolver.decompose(a, 2, false).values(), 1e-15);
    assertThrows(IllegalArgumentException.class,
        () -> SymmetricEigensolver.decompose(new double[3], 2, false));
    assertThrows(IllegalArgumentException.class,
        () -> SymmetricEigensolver.decompose(new double[] {Double.NaN}, 1, false));
  }

  /** Each row v_j is a unit vector with A v_j = lambda_j v_j, and the rows are orthonormal. */
  static void assertEigenpairs(double[] a, int n, SymmetricEigensolver.Decomposition d,
      double tolerance) {
    SpectralFixtures.DenseMap map = new SpectralFixtures.DenseMap(a, n);
    for (int j = 0; j < n; j++) {
      double[] v = d.vector(j);
      double[] av = map.times(v);
      for (int i = 0; i < n; i++) {
        av[i] -= d.values()[j] * v[i];
      }
      assertTrue(SpectralFixtures.maxAbs(av) <= tolerance + 1e-14,
          "residual of pair " + j + ": " + SpectralFixtures.maxAbs(av));
      for (int k = 0; k <= j; k++) {
        assertEquals(k == j ? 1.0 : 0.0, SpectralFixtures.dot(v, d.vector(k)), 1e-13 * n,
            "orthonormality of " + j + ", " + k);
      }
    }
  }
}
