package org.dtheta.core.internal.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;

/**
 * A test matrix stored the BLAS way: {@code rows x cols} at an offset inside a larger array,
 * rows {@code ld} apart. Everything outside the matrix holds a sentinel (NaN for inputs), so a
 * kernel that reads or writes past its ranges is caught.
 */
final class Operand {
  /** Marks array cells a kernel must neither read nor write. */
  static final double SENTINEL = Double.NaN;

  final double[] data;
  final int off;
  final int ld;
  final int rows;
  final int cols;

  private Operand(double[] data, int off, int ld, int rows, int cols) {
    this.data = data;
    this.off = off;
    this.ld = ld;
    this.rows = rows;
    this.cols = cols;
  }

  /**
   * A random matrix: entries uniform in [-1, 1), each zero with probability {@code 1 -
   * density}; {@code off} cells before it, {@code pad} extra cells per row and a few after.
   */
  static Operand random(Random rnd, int rows, int cols, int off, int pad, double density) {
    int ld = cols + pad;
    double[] data = new double[off + rows * ld + 3];
    java.util.Arrays.fill(data, SENTINEL);
    Operand o = new Operand(data, off, ld, rows, cols);
    for (int i = 0; i < rows; i++) {
      for (int j = 0; j < cols; j++) {
        o.set(i, j, rnd.nextDouble() < density ? 2 * rnd.nextDouble() - 1 : 0.0);
      }
    }
    return o;
  }

  double get(int i, int j) {
    return data[off + i * ld + j];
  }

  void set(int i, int j, double v) {
    data[off + i * ld + j] = v;
  }

  /** Entry {@code (i, j)} of {@code op(this)}. */
  double op(boolean trans, int i, int j) {
    return trans ? get(j, i) : get(i, j);
  }

  Operand copy() {
    return new Operand(data.clone(), off, ld, rows, cols);
  }

  /** Asserts that every cell outside the matrix still holds what {@code before} held. */
  void assertOutsideUnchanged(Operand before, String what) {
    for (int idx = 0; idx < data.length; idx++) {
      int rel = idx - off;
      boolean inside = rel >= 0 && rel / ld < rows && rel % ld < cols;
      if (!inside) {
        assertEquals(before.data[idx], data[idx], what + ": cell " + idx + " outside the matrix was written");
      }
    }
  }
}
