package org.dtheta.core.sparse;

import java.util.Random;

/** Random test matrices with many zeros, whole zero rows and zero columns. */
final class SparseTestData {

  private SparseTestData() {}

  /** A {@code rows x cols} matrix, about {@code density} nonzero; column 1 and row 2 all zero. */
  static double[] sparseDense(Random rnd, int rows, int cols, double density) {
    double[] a = new double[rows * cols];
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        boolean zeroLine = j == 1 || i == 2;
        if (!zeroLine && rnd.nextDouble() < density) {
          a[i * cols + j] = rnd.nextGaussian();
        }
      }
    }
    return a;
  }

  /**
   * A {@code rows x cols} matrix like a batch of images of strokes: row {@code i} is lit on a
   * run of about 40 columns whose start drifts slowly with {@code i} (so neighbouring rows, and
   * neighbouring columns, share most entries), with a few holes; every tenth row is random
   * instead (20% lit), and column 1 stays zero.
   */
  static double[] strokes(Random rnd, int rows, int cols) {
    double[] a = new double[rows * cols];
    int start = cols / 3;
    for (int i = 0; i < rows; i++) {
      start = Math.max(0, Math.min(cols - 45, start + rnd.nextInt(3) - 1));
      int length = 38 + rnd.nextInt(5);
      for (int j = 0; j < cols; j++) {
        boolean lit = i % 10 == 9 ? rnd.nextDouble() < 0.2
            : j >= start && j < start + length && rnd.nextDouble() < 0.95;
        if (lit && j != 1) {
          a[i * cols + j] = rnd.nextGaussian();
        }
      }
    }
    return a;
  }

  /** Dense reference {@code op(A) B} with {@code A} stored {@code rows x cols}. */
  static double[] denseProduct(double[] a, int rows, int cols, boolean transA, double[] b, int bCols) {
    int m = transA ? cols : rows;
    int k = transA ? rows : cols;
    double[] c = new double[m * bCols];
    for (int i = 0; i < m; i++) {
      for (int p = 0; p < k; p++) {
        double aip = transA ? a[p * cols + i] : a[i * cols + p];
        for (int j = 0; j < bCols; j++) {
          c[i * bCols + j] += aip * b[p * bCols + j];
        }
      }
    }
    return c;
  }

  /** Largest entrywise difference relative to the largest reference entry (and 1e-300). */
  static double relativeError(double[] got, double[] want) {
    double diff = 0;
    double scale = 1e-300;
    for (int i = 0; i < want.length; i++) {
      diff = Math.max(diff, Math.abs(got[i] - want[i]));
      scale = Math.max(scale, Math.abs(want[i]));
    }
    return diff / scale;
  }
}
