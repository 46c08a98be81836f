package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = X + s} for a {@code 1 x 1} node {@code s} added to every entry. Linear; the
 * transpose of broadcasting a scalar is summing everything:
 *
 * <pre>
 *   value            Y          = X + s 1 1^T
 *   tangent          Ydot_d     = Xdot_d + sdot_d 1 1^T
 *   adjoint          Xbar      += Ybar            sbar      += sum(Ybar)
 *   adjoint tangent  Xbardot_d += Ybardot_d       sbardot_d += sum(Ybardot_d)
 * </pre>
 *
 * With {@code m} directions, {@code sdot} is {@code 1 x m}; it is spread into one {@code m x
 * cols} block row ({@code sdot_d} along direction {@code d}'s columns) that is added to every
 * row of the tangent layout, and summed back the same way, as {@link Sum} does for all entries.
 */
final class AddScalar extends Op {

  private static final int BLOCK_ROW = 0;

  private final Var x;
  private final Var s;

  AddScalar(Var out, Var x, Var s) {
    super(out, x, s);
    this.x = x;
    this.s = s;
  }

  @Override
  String name() {
    return "addScalar";
  }

  @Override
  void forward() {
    Kernels.copy(x.size(), x.value, 0, out.value, 0);
    Kernels.addConstant(x.size(), s.value[0], out.value, 0);
  }

  @Override
  void jvp(int m) {
    int n = x.size() * m;
    if (x.active) {
      Kernels.copy(n, x.tangent, 0, out.tangent, 0);
    } else {
      Kernels.fill(n, 0.0, out.tangent, 0);
    }
    if (s.active) {
      double[] blockRow = scratch(BLOCK_ROW, x.cols * m);
      Kernels.fill(x.cols * m, 0.0, blockRow, 0);
      Kernels.addColumnVector(m, x.cols, 1.0, s.tangent, 0, blockRow, 0);
      Kernels.addRowVector(x.rows, x.cols, m, blockRow, 0, out.tangent, 0);
    }
  }

  @Override
  void vjp() {
    if (x.active) {
      Kernels.axpy(x.size(), 1.0, out.adjoint, 0, x.adjoint, 0);
    }
    if (s.active) {
      s.adjoint[0] += Kernels.sum(x.size(), out.adjoint, 0);
    }
  }

  @Override
  void vjpTangent(int m) {
    if (x.active) {
      Kernels.axpy(x.size() * m, 1.0, out.adjointTangent, 0, x.adjointTangent, 0);
    }
    if (s.active) {
      // column sums of the rows x (m cols) layout, then each direction's block of columns
      int w = x.cols * m;
      double[] blockRow = scratch(BLOCK_ROW, w);
      Kernels.fill(w, 0.0, blockRow, 0);
      Kernels.sumColumnsInto(x.rows, w, out.adjointTangent, 0, w, blockRow, 0);
      Kernels.sumRowsInto(m, x.cols, blockRow, 0, x.cols, s.adjointTangent, 0);
    }
  }
}
