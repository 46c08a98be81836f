package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * Sums along an axis, times a constant {@code c} ({@code c = 1} for sums, {@code 1/count} for
 * means): of all entries ({@code 1 x 1}), of each row ({@code rows x 1}) or of each column
 * ({@code 1 x cols}). Linear; the transpose of a sum is a broadcast:
 *
 * <pre>
 *   value            y        = c S x            (S sums along the axis)
 *   tangent          ydot_d   = c S xdot_d
 *   adjoint          xbar    += c S^T ybar       (S^T copies each sum back over what it summed)
 *   adjoint tangent  xbardot_d += c S^T ybardot_d
 * </pre>
 *
 * Because values and adjoints are laid out as tangents with one direction, the value is the
 * tangent rule at {@code m = 1} and the adjoint the adjoint-tangent rule at {@code m = 1}.
 */
final class Sum extends Op {

  /** What is summed. */
  enum Axis {
    /** All entries: a {@code 1 x 1} result. */
    ALL,
    /** The entries of each row: a {@code rows x 1} column. */
    EACH_ROW,
    /** The entries of each column: a {@code 1 x cols} row. */
    EACH_COLUMN
  }

  private static final int DIRECTION_ROWS = 0;

  private final Var x;
  private final Axis axis;
  private final double c;
  private final String name;

  Sum(Var out, Var x, Axis axis, double c, String name) {
    super(out, x);
    this.x = x;
    this.axis = axis;
    this.c = c;
    this.name = name;
  }

  @Override
  String name() {
    return name;
  }

  @Override
  void forward() {
    reduce(x.value, 1, out.value);
  }

  @Override
  void jvp(int m) {
    reduce(x.tangent, m, out.tangent);
  }

  @Override
  void vjp() {
    broadcastInto(out.adjoint, 1, x.adjoint);
  }

  @Override
  void vjpTangent(int m) {
    broadcastInto(out.adjointTangent, m, x.adjointTangent);
  }

  /** {@code dst = c S src} for {@code m} directions in tangent layout. */
  private void reduce(double[] src, int m, double[] dst) {
    int r = x.rows;
    int w = x.cols * m;
    switch (axis) {
      case EACH_ROW: // a rows x (m cols) tangent is (rows m) x cols: its row sums are ydot[i, d]
        Kernels.fill(r * m, 0.0, dst, 0);
        Kernels.sumRowsInto(r * m, x.cols, src, 0, x.cols, dst, 0);
        break;
      case EACH_COLUMN: // column sums of rows x (m cols) are the 1 x (m cols) tangent
        Kernels.fill(w, 0.0, dst, 0);
        Kernels.sumColumnsInto(r, w, src, 0, w, dst, 0);
        break;
      default: // column sums, then the sum of each direction's block of columns
        double[] blocks = scratch(DIRECTION_ROWS, w);
        Kernels.fill(w, 0.0, blocks, 0);
        Kernels.sumColumnsInto(r, w, src, 0, w, blocks, 0);
        Kernels.fill(m, 0.0, dst, 0);
        Kernels.sumRowsInto(m, x.cols, blocks, 0, x.cols, dst, 0);
    }
    Kernels.scale(out.size() * m, c, dst, 0);
  }

  /** {@code dst += c S^T src} for {@code m} directions in tangent layout. */
  private void broadcastInto(double[] src, int m, double[] dst) {
    int w = x.cols * m;
    if (axis == Axis.EACH_ROW) {
      Kernels.addColumnVector(x.rows * m, x.cols, c, src, 0, dst, 0);
      return;
    }
    // Both other axes add one (m x cols) block row to every row of x.
    double[] blockRow = scratch(DIRECTION_ROWS, w);
    Kernels.fill(w, 0.0, blockRow, 0);
    if (axis == Axis.EACH_COLUMN) {
      Kernels.axpy(w, c, src, 0, blockRow, 0);
    } else {
      Kernels.addColumnVector(m, x.cols, c, src, 0, blockRow, 0);
    }
    Kernels.addRowVector(x.rows, x.cols, m, blockRow, 0, dst, 0);
  }
}
