package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = c * sum_ij x_ij}: the sum of all entries, times a constant ({@code c = 1} for a sum,
 * {@code 1/size} for a mean). Linear:
 *
 * <pre>
 *   value            y        = c sum x
 *   tangent          ydot_d   = c sum xdot_d
 *   adjoint          xbar    += c ybar            (every entry)
 *   adjoint tangent  xbardot_d += c ybardot_d
 * </pre>
 */
final class Sum extends Op {

  private static final int COLUMN_SUMS = 0;

  private final Var x;
  private final double c;
  private final String name;

  Sum(Var out, Var x, double c, String name) {
    super(out, x);
    this.x = x;
    this.c = c;
    this.name = name;
  }

  @Override
  String name() {
    return name;
  }

  @Override
  void forward() {
    out.value[0] = c * Kernels.sum(x.size(), x.value, 0);
  }

  @Override
  void jvp(int m) {
    // Column sums of the rows x (m cols) tangent give each direction's block; then sum blocks.
    double[] blocks = scratch(COLUMN_SUMS, m * x.cols);
    Kernels.fill(m * x.cols, 0.0, blocks, 0);
    Kernels.sumColumnsInto(x.rows, m * x.cols, x.tangent, 0, m * x.cols, blocks, 0);
    Kernels.fill(m, 0.0, out.tangent, 0);
    Kernels.sumRowsInto(m, x.cols, blocks, 0, x.cols, out.tangent, 0);
    Kernels.scale(m, c, out.tangent, 0);
  }

  @Override
  void vjp() {
    Kernels.addConstant(x.size(), c * out.adjoint[0], x.adjoint, 0);
  }

  @Override
  void vjpTangent(int m) {
    double[] row = scratch(COLUMN_SUMS, m * x.cols);
    for (int d = 0; d < m; d++) {
      Kernels.fill(x.cols, c * out.adjointTangent[d], row, d * x.cols);
    }
    Kernels.addRowVector(x.rows, x.cols, m, row, 0, x.adjointTangent, 0);
  }
}
