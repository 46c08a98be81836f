package org.dtheta.core.internal.kernel;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Products {@code C = beta*C + alpha*op(A) B} whose {@code C} is one to two vectors wide (the
 * ten classes of the output layer: logits {@code Z1 W2} and, with {@code m} directions, their
 * tangents {@code Z1dot W2} over {@code k m} rows). Two vectors cover every row, the second
 * shifted left to end at the last column where the row is not two whole vectors, so no lane is
 * wasted on padding and {@code B} (a few rows of a narrow matrix) is read in place, unpacked.
 * Eight rows of {@code C} share each load of {@code B} (16 accumulators): the general product's
 * four-row tiles, packing and padding cost about twice the multiply-adds at this width.
 *
 * <p>The overlapping lanes of the two vectors hold the same sums, so writing both is exact;
 * with {@code beta != 0} both old vectors are read before either is written.
 */
final class PanamaNarrowProducts {

  private static final VectorSpecies<Double> S = PanamaConstants.SPECIES;
  private static final int L = S.length();

  /** Per-thread parking place of a tile's 16 accumulators. */
  private static final ThreadLocal<double[]> ACC = ThreadLocal.withInitial(() -> new double[16 * L]);

  /**
   * Rows of {@code A} read ahead at a time ({@link ReadAhead}): eight interleaved rows are a
   * walk the prefetcher follows poorly, while one read ahead in address order streams; counts
   * from 64 to 1024 serve alike.
   */
  private static final int READ_ROWS = 256;

  private PanamaNarrowProducts() {}

  /** Whether {@code op(A) B} with {@code n} columns is computed here. */
  static boolean suits(boolean transB, int n) {
    return !transB && n >= L && n <= 2 * L;
  }

  /**
   * {@code C = beta*C + alpha*op(A)*B} for {@code m, k >= 1} and {@link #suits} {@code n};
   * {@code op(A)} row {@code i}, inner index {@code p} is {@code a[aOff + i*ri + p*ap]}.
   */
  static void multiply(
      int m, int n, int k, double alpha, double[] a, int aOff, int ri, int ap, double[] b,
      int bOff, int ldb, double beta, double[] c, int cOff, int ldc) {
    int second = n - L;
    double[] acc = ACC.get();
    int i = 0;
    for (; i + 8 <= m; i += 8) {
      if (ap == 1 && i % READ_ROWS == 0) {
        ReadAhead.rows(Math.min(READ_ROWS, m - i), k, a, aOff + i * ri, ri);
      }
      rows8(k, alpha, a, aOff + i * ri, ri, ap, b, bOff, ldb, second, beta, c, cOff + i * ldc, ldc,
          acc);
    }
    for (; i < m; i++) {
      row1(k, alpha, a, aOff + i * ri, ap, b, bOff, ldb, second, beta, c, cOff + i * ldc, acc);
    }
  }

  private static void rows8(
      int k, double alpha, double[] a, int r0, int ri, int ap, double[] b, int bOff, int ldb,
      int second, double beta, double[] c, int c0, int ldc, double[] acc) {
    DoubleVector z = DoubleVector.zero(S);
    DoubleVector x00 = z;
    DoubleVector x01 = z;
    DoubleVector x10 = z;
    DoubleVector x11 = z;
    DoubleVector x20 = z;
    DoubleVector x21 = z;
    DoubleVector x30 = z;
    DoubleVector x31 = z;
    DoubleVector x40 = z;
    DoubleVector x41 = z;
    DoubleVector x50 = z;
    DoubleVector x51 = z;
    DoubleVector x60 = z;
    DoubleVector x61 = z;
    DoubleVector x70 = z;
    DoubleVector x71 = z;
    for (int p = 0; p < k; p++) {
      int bp = bOff + p * ldb;
      DoubleVector b0 = DoubleVector.fromArray(S, b, bp);
      DoubleVector b1 = DoubleVector.fromArray(S, b, bp + second);
      int ar = r0 + p * ap;
      DoubleVector x = DoubleVector.broadcast(S, a[ar]);
      x00 = b0.fma(x, x00);
      x01 = b1.fma(x, x01);
      x = DoubleVector.broadcast(S, a[ar + ri]);
      x10 = b0.fma(x, x10);
      x11 = b1.fma(x, x11);
      x = DoubleVector.broadcast(S, a[ar + 2 * ri]);
      x20 = b0.fma(x, x20);
      x21 = b1.fma(x, x21);
      x = DoubleVector.broadcast(S, a[ar + 3 * ri]);
      x30 = b0.fma(x, x30);
      x31 = b1.fma(x, x31);
      x = DoubleVector.broadcast(S, a[ar + 4 * ri]);
      x40 = b0.fma(x, x40);
      x41 = b1.fma(x, x41);
      x = DoubleVector.broadcast(S, a[ar + 5 * ri]);
      x50 = b0.fma(x, x50);
      x51 = b1.fma(x, x51);
      x = DoubleVector.broadcast(S, a[ar + 6 * ri]);
      x60 = b0.fma(x, x60);
      x61 = b1.fma(x, x61);
      x = DoubleVector.broadcast(S, a[ar + 7 * ri]);
      x70 = b0.fma(x, x70);
      x71 = b1.fma(x, x71);
    }
    x00.intoArray(acc, 0);
    x01.intoArray(acc, L);
    x10.intoArray(acc, 2 * L);
    x11.intoArray(acc, 3 * L);
    x20.intoArray(acc, 4 * L);
    x21.intoArray(acc, 5 * L);
    x30.intoArray(acc, 6 * L);
    x31.intoArray(acc, 7 * L);
    x40.intoArray(acc, 8 * L);
    x41.intoArray(acc, 9 * L);
    x50.intoArray(acc, 10 * L);
    x51.intoArray(acc, 11 * L);
    x60.intoArray(acc, 12 * L);
    x61.intoArray(acc, 13 * L);
    x70.intoArray(acc, 14 * L);
    x71.intoArray(acc, 15 * L);
    writeBack(acc, 8, alpha, beta, c, c0, ldc, second);
  }

  private static void row1(
      int k, double alpha, double[] a, int r0, int ap, double[] b, int bOff, int ldb, int second,
      double beta, double[] c, int c0, double[] acc) {
    DoubleVector x0 = DoubleVector.zero(S);
    DoubleVector x1 = x0;
    for (int p = 0; p < k; p++) {
      int bp = bOff + p * ldb;
      DoubleVector x = DoubleVector.broadcast(S, a[r0 + p * ap]);
      x0 = DoubleVector.fromArray(S, b, bp).fma(x, x0);
      x1 = DoubleVector.fromArray(S, b, bp + second).fma(x, x1);
    }
    x0.intoArray(acc, 0);
    x1.intoArray(acc, L);
    writeBack(acc, 1, alpha, beta, c, c0, 0, second);
  }

  /**
   * Rows of C from the parked accumulators (two vectors a row): {@code beta*C + alpha*acc}, the
   * second vector at column {@code second}. One loop rather than a write-back inlined per row:
   * sixteen of those would exceed the JIT's inlining budget, and each left out of line boxes
   * its vectors.
   */
  private static void writeBack(
      double[] acc, int rows, double alpha, double beta, double[] c, int c0, int ldc,
      int second) {
    for (int r = 0; r < rows; r++) {
      int o = c0 + r * ldc;
      DoubleVector v0 = DoubleVector.fromArray(S, acc, 2 * r * L).mul(alpha);
      DoubleVector v1 = DoubleVector.fromArray(S, acc, (2 * r + 1) * L).mul(alpha);
      if (beta != 0.0) {
        v0 = v0.add(DoubleVector.fromArray(S, c, o).mul(beta));
        v1 = v1.add(DoubleVector.fromArray(S, c, o + second).mul(beta));
      }
      v0.intoArray(c, o);
      v1.intoArray(c, o + second);
    }
  }
}
