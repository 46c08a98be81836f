package org.dtheta.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.TridiagonalSimilarDecomposition_F64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The eigensolver on the spectra real Hessians have: many (near-)zero eigenvalues, exact
 * multiplicities, entries over many decades. Inside such a cluster every tridiagonal entry is
 * rounding noise, which a deflation test relative only to the neighbouring diagonal entries never
 * accepts (the solver used to give up after 30 QL sweeps on B B^T with B of rank 20).
 */
class SymmetricEigensolverDegenerateTest {

  @ParameterizedTest(name = "n={0} rank={1}")
  @CsvSource({"50, 1", "50, 5", "50, 20", "50, 49", "100, 1", "100, 5", "100, 20", "100, 49",
      "200, 1", "200, 5", "200, 20", "200, 49", "400, 1", "400, 5", "400, 20", "400, 49"})
  void lowRankGramMatrixHasExactlyRankNonzeroEigenvalues(int n, int rank) {
    double[] a = lowRankGram(n, rank, 1000L * n + rank);
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    double[] expected = SpectralFixtures.ejmlEigenvalues(a, n);
    double tolerance = normwise(expected);
    assertArrayEquals(expected, d.values(), tolerance);
    // Independently of EJML: B B^T is PSD of rank `rank`, so n - rank eigenvalues are zero and
    // the rest are well above rounding (random Gaussian B with rank <= n/1.02 is well conditioned).
    int zeros = 0;
    for (double lambda : d.values()) {
      assertTrue(lambda >= -tolerance, "PSD matrix, eigenvalue " + lambda);
      if (Math.abs(lambda) <= tolerance) {
        zeros++;
      }
    }
    assertEquals(n - rank, zeros, "number of zero eigenvalues");
    SymmetricEigensolverTest.assertEigenpairs(a, n, d, tolerance);
  }

  @Test
  void lowRankGramMatrixWithProbesOnly() {
    // Lanczos takes this path (last components only); it shares the QL iteration.
    int n = 120;
    int c = 2;
    double[] a = lowRankGram(n, 20, 5);
    double[] probes = OrthonormalizerTest.randomColumns(n, c, 6);
    double[] values = SymmetricEigensolver.decompose(a, n, probes.clone(), c);
    double[] expected = SpectralFixtures.ejmlEigenvalues(a, n);
    assertArrayEquals(expected, values, normwise(expected));
  }

  @ParameterizedTest(name = "extra eigenvalues: {0}")
  @ValueSource(booleans = {false, true})
  void exactlyRepeatedEigenvaluesZeroTimes100AndOneTimes51(boolean withOthers) {
    double[] others = withOthers ? new double[] {-2.0, 3.5, 7.0, 1e-6} : new double[0];
    double[] spectrum = new double[151 + others.length];
    Arrays.fill(spectrum, 100, 151, 1.0);
    System.arraycopy(others, 0, spectrum, 151, others.length);
    int n = spectrum.length;
    double[] a = SpectralFixtures.withSpectrum(spectrum, 17);
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    double[] expected = spectrum.clone();
    Arrays.sort(expected);
    double tolerance = normwise(expected);
    assertArrayEquals(SpectralFixtures.ejmlEigenvalues(a, n), d.values(), tolerance);
    // The random Q of withSpectrum is orthogonal only to ~1e-12, so the matrix itself sits about
    // 1e-12 from the nominal spectrum (EJML's eigenvalues are as far off as ours).
    assertArrayEquals(expected, d.values(), 1e-11);
    SymmetricEigensolverTest.assertEigenpairs(a, n, d, tolerance);
  }

  @ParameterizedTest(name = "small entries first: {0}, rank {1} (0: full)")
  @CsvSource({"true, 0", "false, 0", "true, 20", "false, 20"})
  void gradedMatrixWithEntriesFrom1eMinus12To1e3(boolean smallFirst, int rank) {
    int n = 70;
    double[] r = rank == 0 ? SpectralFixtures.randomSymmetric(n, 23) : lowRankGram(n, rank, 23);
    double[] a = new double[n * n];
    double[] grade = new double[n];
    for (int i = 0; i < n; i++) {
      // grade_i^2 runs over 1e-12 .. 1e3, so do the entries grade_i grade_j r_ij.
      double exponent = -6.0 + 7.5 * i / (n - 1);
      grade[smallFirst ? i : n - 1 - i] = Math.pow(10.0, exponent);
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        a[i * n + j] = grade[i] * grade[j] * r[i * n + j];
      }
    }
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    double[] expected = SpectralFixtures.ejmlEigenvalues(a, n);
    double tolerance = normwise(expected);
    assertArrayEquals(expected, d.values(), tolerance);
    SymmetricEigensolverTest.assertEigenpairs(a, n, d, tolerance);
  }

  @Test
  void diagonalMatrixWithRepeatsZerosAndManyDecadesIsReturnedExactly() {
    int n = 90;
    double[] diag = new double[n];
    Random rnd = new Random(31);
    for (int i = 0; i < n; i++) {
      int kind = i % 5;
      diag[i] = kind == 0 ? 0.0 : kind == 1 ? 1.0
          : kind == 2 ? -Math.pow(10.0, -12 + 15 * rnd.nextDouble())
          : Math.pow(10.0, -12 + 15 * rnd.nextDouble());
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      a[i * n + i] = diag[i];
    }
    SymmetricEigensolver.Decomposition d = SymmetricEigensolver.decompose(a, n, true);
    double[] expected = diag.clone();
    Arrays.sort(expected);
    assertArrayEquals(expected, d.values(), 0.0);
    SymmetricEigensolverTest.assertEigenpairs(a, n, d, 0.0);
  }

  @Test
  void rankDeficientTridiagonalWithZeroOffDiagonalsInTheMiddle() {
    // EJML's reduction of B B^T (rank 20): a large leading block coupled by e ~ 1e-4 to rows of
    // rounding noise that together carry the 60 zero eigenvalues, the shape that defeated the
    // neighbour-only deflation test. Exact zeros cut it further, one isolating an exact 0.
    int n = 80;
    TridiagonalSimilarDecomposition_F64<DMatrixRMaj> reduction =
        DecompositionFactory_DDRM.tridiagonal(n);
    assertTrue(reduction.decompose(DMatrixRMaj.wrap(n, n, lowRankGram(n, 20, 3))));
    double[] diag = new double[n];
    double[] off = new double[n - 1];
    reduction.getDiagonal(diag, off);
    off[50] = 0.0;
    off[51] = 0.0;
    diag[51] = 0.0;
    off[65] = 0.0;
    double[] dense = new double[n * n];
    for (int i = 0; i < n; i++) {
      dense[i * n + i] = diag[i];
      if (i + 1 < n) {
        dense[i * n + i + 1] = off[i];
        dense[(i + 1) * n + i] = off[i];
      }
    }
    double[] expected = SpectralFixtures.ejmlEigenvalues(dense, n);
    double tolerance = normwise(expected);
    SymmetricEigensolver.Decomposition viaTridiagonal =
        SymmetricEigensolver.tridiagonal(diag, off, true);
    assertArrayEquals(expected, viaTridiagonal.values(), tolerance);
    SymmetricEigensolverTest.assertEigenpairs(dense, n, viaTridiagonal, tolerance);
    SymmetricEigensolver.Decomposition viaDense = SymmetricEigensolver.decompose(dense, n, true);
    assertArrayEquals(expected, viaDense.values(), tolerance);
    SymmetricEigensolverTest.assertEigenpairs(dense, n, viaDense, tolerance);
  }

  @Test
  void allZeroMatrixAndNonFiniteEntriesAreHandled() {
    int n = 7;
    SymmetricEigensolver.Decomposition zero =
        SymmetricEigensolver.decompose(new double[n * n], n, true);
    assertArrayEquals(new double[n], zero.values(), 0.0);
    SymmetricEigensolverTest.assertEigenpairs(new double[n * n], n, zero, 0.0);
    double[] offInfinite = new double[n * n];
    offInfinite[1] = Double.POSITIVE_INFINITY;
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SymmetricEigensolver.decompose(offInfinite, n, false));
    assertTrue(e.getMessage().contains("(0, 1)"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> SymmetricEigensolver.tridiagonal(
        new double[] {1, Double.NaN}, new double[] {0.5}, false));
    assertThrows(IllegalArgumentException.class, () -> SymmetricEigensolver.tridiagonal(
        new double[] {1, 2}, new double[] {Double.POSITIVE_INFINITY}, false));
  }

  /**
   * 2e-14 ||A||, about 90 eps ||A||: the errors measured against EJML and the residuals stay
   * below 11 eps ||A|| for every matrix here (n up to 400), so this leaves room for other
   * rounding orders but not for a lost eigenvalue or a sloppy deflation.
   */
  static double normwise(double[] eigenvalues) {
    return 2e-14 * SpectralFixtures.maxAbs(eigenvalues);
  }

  /** {@code B B^T} for an {@code n x rank} Gaussian B: PSD, exactly {@code n - rank} zeros. */
  static double[] lowRankGram(int n, int rank, long seed) {
    Random rnd = new Random(seed);
    double[] b = new double[n * rank];
    for (int i = 0; i < b.length; i++) {
      b[i] = rnd.nextGaussian();
    }
    double[] a = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double sum = 0.0;
        for (int k = 0; k < rank; k++) {
          sum += b[i * rank + k] * b[j * rank + k];
        }
        a[i * n + j] = sum;
        a[j * n + i] = sum;
      }
    }
    return a;
  }
}
