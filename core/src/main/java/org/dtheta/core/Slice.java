package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = X[r0:r1, c0:c1]}: a block of rows and columns, the op behind {@link Ops#sliceRows}
 * and {@link Ops#sliceColumns}. Linear; with {@code S} the selection of the block, its
 * transpose puts a block back in place of zeros:
 *
 * <pre>
 *   value            Y        = S X
 *   tangent          Ydot     = S Xdot
 *   adjoint          Xbar    += S^T Ybar      (added into the block, the rest untouched)
 *   adjoint tangent  Xbardot += S^T Ybardot
 * </pre>
 *
 * In the tangent layout, row {@code i} and direction {@code d} of {@code X} is the
 * {@code cols}-long row {@code i*m + d} of a {@code (rows*m) x cols} matrix, so the block of
 * all {@code m} tangents is rows {@code r0*m .. r1*m} and columns {@code c0 .. c1} of it: one
 * strided block copy, as the value is with {@code m = 1}.
 */
final class Slice extends Op {

  private final String name;
  private final Var x;
  private final int r0;
  private final int c0;

  Slice(String name, Var out, Var x, int r0, int c0) {
    super(out, x);
    this.name = name;
    this.x = x;
    this.r0 = r0;
    this.c0 = c0;
  }

  @Override
  String name() {
    return name;
  }

  @Override
  void forward() {
    select(x.value, 1, out.value);
  }

  @Override
  void jvp(int m) {
    select(x.tangent, m, out.tangent);
  }

  @Override
  void vjp() {
    Kernels.copyBlock(out.rows, out.cols, out.adjoint, 0, out.cols, x.adjoint,
        r0 * x.cols + c0, x.cols, true);
  }

  @Override
  void vjpTangent(int m) {
    Kernels.copyBlock(out.rows * m, out.cols, out.adjointTangent, 0, out.cols, x.adjointTangent,
        r0 * m * x.cols + c0, x.cols, true);
  }

  /** {@code dst = S src} for {@code m} directions in tangent layout. */
  private void select(double[] src, int m, double[] dst) {
    Kernels.copyBlock(out.rows * m, out.cols, src, r0 * m * x.cols + c0, x.cols, dst, 0,
        out.cols, false);
  }
}
