package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.dtheta.core.kernel.Kernels;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The matrix product in all four transpose forms against a naive triple loop, for the scalar
 * kernels, the Vector API kernels and the splitting facade; and the two implementations
 * against each other to 1e-12 of the entries' magnitude. Operands sit at nonzero offsets with
 * leading dimensions wider than their rows, surrounded by NaN that must stay unread and
 * unwritten.
 */
class GemmTest {

  /** 1e-12 relative to the sum of absolute terms: far above {@code k * ulp} for k <= 784. */
  private static final double TOL = 1e-12;
  private static final int[] SMALL = {1, 3, 7, 8, 9, 13};
  /** Shapes (m, n, k) built from the sizes 1..784 that exercise every edge of the blocking. */
  private static final int[][] LARGER = {
    {50, 63, 64}, {65, 207, 13}, {207, 50, 784}, {784, 50, 207}, {64, 65, 63}, {13, 784, 9},
    {9, 13, 784}, {784, 10, 50}, {1, 207, 65}, {207, 1, 63}, {63, 784, 3}, {8, 50, 600},
    {300, 10, 700}, // A^T of a wide A (lda >= 256) is packed by blocks of 64 rows, 44 left over
  };

  /** The four forms: (transA, transB). */
  static Stream<Arguments> forms() {
    return Stream.of(
        Arguments.of(false, false), Arguments.of(true, false),
        Arguments.of(false, true), Arguments.of(true, true));
  }

  /** One product's inputs and settings. */
  private static final class Case {
    final boolean transA;
    final boolean transB;
    final int m;
    final int n;
    final int k;
    final double alpha;
    final double beta;
    final Operand a;
    final Operand b;
    final Operand c;

    Case(Random rnd, boolean transA, boolean transB, int m, int n, int k, int variant,
        double densityA) {
      this.transA = transA;
      this.transB = transB;
      this.m = m;
      this.n = n;
      this.k = k;
      // Variant 0: packed operands, C full of NaN with beta = 0 (which must not read C).
      // Variants 1 and 2: offsets, wide leading dimensions, alpha != 1, beta 0.5 or 1.
      int off = variant == 0 ? 0 : 5;
      int pad = variant == 0 ? 0 : 3;
      this.alpha = variant == 0 ? 1.0 : -0.75;
      this.beta = variant == 0 ? 0.0 : variant == 1 ? 0.5 : 1.0;
      this.a = transA
          ? Operand.random(rnd, k, m, off, pad, densityA)
          : Operand.random(rnd, m, k, off, pad, densityA);
      this.b = transB
          ? Operand.random(rnd, n, k, off + 2, pad + 1, 1.0)
          : Operand.random(rnd, k, n, off + 2, pad + 1, 1.0);
      this.c = Operand.random(rnd, m, n, off + 1, pad, 1.0);
      if (beta == 0.0) {
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            c.set(i, j, Double.NaN);
          }
        }
      }
    }

    String label(String impl) {
      return impl + " gemm" + (transA ? "T" : "N") + (transB ? "T" : "N") + " m=" + m + " n=" + n
          + " k=" + k + " alpha=" + alpha + " beta=" + beta + " off=" + a.off + " lda=" + a.ld;
    }

    /** Runs the product with {@code impl} on a copy of C (directly or through the facade). */
    Operand run(KernelSupport impl, boolean facade) {
      Operand out = c.copy();
      if (facade) {
        Kernels.gemm(impl, transA, transB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off,
            b.ld, beta, out.data, out.off, out.ld);
      } else {
        impl.gemm(transA, transB, m, n, k, alpha, a.data, a.off, a.ld, b.data, b.off, b.ld, beta,
            out.data, out.off, out.ld);
      }
      return out;
    }

    /** Checks {@code impl} against the triple loop, and returns its result. */
    Operand check(KernelSupport impl, boolean facade) {
      double[] expected = new double[m * n];
      double[] scale = new double[m * n];
      Reference.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, expected, scale);
      Operand out = run(impl, facade);
      String what = label(impl.name() + (facade ? " (facade)" : ""));
      Reference.assertClose(out, m, n, expected, scale, TOL, what);
      out.assertOutsideUnchanged(c, what);
      return out;
    }

    /** Checks both implementations against the loop and against each other. */
    void checkBoth(boolean facade) {
      Operand scalar = check(KernelProvider.scalar(), facade);
      KernelProvider.panama().ifPresent(p -> {
        Operand vector = check(p, facade);
        double[] expected = new double[m * n];
        double[] scale = new double[m * n];
        Reference.gemm(transA, transB, m, n, k, alpha, a, b, beta, c, expected, scale);
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            expected[i * n + j] = scalar.get(i, j);
          }
        }
        Reference.assertClose(vector, m, n, expected, scale, TOL, label("panama vs scalar"));
      });
    }
  }

  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void everySmallShapeMatchesTheTripleLoop(boolean transA, boolean transB) {
    Random rnd = new Random(11);
    for (int m : SMALL) {
      for (int n : SMALL) {
        for (int k : SMALL) {
          for (int variant = 0; variant < 3; variant++) {
            new Case(rnd, transA, transB, m, n, k, variant, 0.7).checkBoth(false);
          }
        }
      }
    }
  }

  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void largerShapesMatchTheTripleLoop(boolean transA, boolean transB) {
    Random rnd = new Random(12);
    for (int[] s : LARGER) {
      for (int variant = 0; variant < 3; variant++) {
        new Case(rnd, transA, transB, s[0], s[1], s[2], variant, 1.0).checkBoth(false);
      }
    }
  }

  /** MNIST-like data (19% nonzeros) takes the zero-skipping plans; they must agree too. */
  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void sparseOperandsMatchTheTripleLoop(boolean transA, boolean transB) {
    Random rnd = new Random(13);
    int[][] shapes = {{207, 50, 784}, {784, 50, 207}, {65, 10, 300}, {3, 63, 784}};
    for (int[] s : shapes) {
      for (double density : new double[] {0.0, 0.03, 0.19, 0.5}) {
        new Case(rnd, transA, transB, s[0], s[1], s[2], 1, density).checkBoth(false);
      }
    }
  }

  /**
   * Dense rows, then sparse, then dense again, then a band of empty rows: the kernels switch
   * plans between blocks of rows (and stop re-scanning dense stretches), which must not leak
   * state from one block into the next.
   */
  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void mixedDensityRowsMatchTheTripleLoop(boolean transA, boolean transB) {
    Random rnd = new Random(14);
    int m = 211;
    int n = 45;
    int k = 300;
    for (int variant = 0; variant < 3; variant++) {
      Case c = new Case(rnd, transA, transB, m, n, k, variant, 1.0);
      for (int i = 0; i < m; i++) {
        boolean sparse = (i >= 60 && i < 150) || i >= 190;
        for (int p = 0; p < k; p++) {
          boolean zero = i >= 190 || (sparse && rnd.nextDouble() > 0.15);
          if (zero) {
            if (transA) {
              c.a.set(p, i, 0.0);
            } else {
              c.a.set(i, p, 0.0);
            }
          }
        }
      }
      c.checkBoth(false);
    }
  }

  /**
   * Through {@link Kernels#gemm}: products big enough to be split over threads, by bands of
   * rows (tall C) and of columns (wide C), with band edges that are not multiples of 8.
   */
  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void splitProductsMatchTheTripleLoop(boolean transA, boolean transB) {
    Random rnd = new Random(15);
    int[][] shapes = {{301, 50, 100}, {20, 707, 40}, {9, 1000, 50}, {1003, 10, 50}};
    for (int[] s : shapes) {
      for (int variant = 0; variant < 3; variant++) {
        new Case(rnd, transA, transB, s[0], s[1], s[2], variant, 0.6).checkBoth(true);
      }
    }
  }

  /**
   * Through {@link Kernels#gemm}: {@code A^T B} over at least {@link RowReduction#MIN_ROWS} rows
   * with a narrow side goes to the outer-product kernels. Narrow sides of 1, 3, 10 and 53
   * (five-row tiles and remainders), wide sides of 8 to 64 (three-vector strips, single vectors
   * and the overlapping last vector), either operand the wide one, groups of unequal length.
   */
  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void productsSummedOverManyRowsMatchTheTripleLoop(boolean transA, boolean transB) {
    Random rnd = new Random(17);
    int[][] shapes = {{37, 10, 2048}, {10, 37, 2100}, {64, 53, 2049}, {9, 3, 2053}, {1, 29, 3001}};
    for (int[] s : shapes) {
      if (transA && !transB) {
        assertTrue(RowReduction.suits(s[0], s[1], s[2]), "shape meant for RowReduction");
      }
      for (int variant = 0; variant < 3; variant++) {
        new Case(rnd, transA, transB, s[0], s[1], s[2], variant, 1.0).checkBoth(true);
      }
    }
  }

  /** The facade must hand zero-sized products through untouched and validate nothing more. */
  @ParameterizedTest(name = "transA={0} transB={1}")
  @MethodSource("forms")
  void emptyInnerDimensionOnlyScalesC(boolean transA, boolean transB) {
    Random rnd = new Random(16);
    List<KernelSupport> impls = new ArrayList<>();
    impls.add(KernelProvider.scalar());
    KernelProvider.panama().ifPresent(impls::add);
    for (KernelSupport impl : impls) {
      for (int variant = 0; variant < 3; variant++) {
        Case c = new Case(rnd, transA, transB, 7, 9, 0, variant, 1.0);
        c.check(impl, true);
      }
    }
  }
}
