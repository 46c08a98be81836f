package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = X^T}. Linear; the transpose of a transpose is itself, so every rule is one
 * transpose, of the direction-repeated tangent layout for {@code m} directions
 * ({@code Ydot[j,d,i] = Xdot[i,d,j]}):
 *
 * <pre>
 *   value            Y        = X^T
 *   tangent          Ydot     = Xdot^T       (each direction)
 *   adjoint          Xbar    += Ybar^T
 *   adjoint tangent  Xbardot += Ybardot^T   (each direction)
 * </pre>
 */
final class Transpose extends Op {

  private final Var x;

  Transpose(Var out, Var x) {
    super(out, x);
    this.x = x;
  }

  @Override
  String name() {
    return "transpose";
  }

  @Override
  void forward() {
    Kernels.transposeRepeated(x.rows, x.cols, 1, x.value, 0, out.value, 0, false);
  }

  @Override
  void jvp(int m) {
    Kernels.transposeRepeated(x.rows, x.cols, m, x.tangent, 0, out.tangent, 0, false);
  }

  @Override
  void vjp() {
    Kernels.transposeRepeated(out.rows, out.cols, 1, out.adjoint, 0, x.adjoint, 0, true);
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    Kernels.transposeRepeated(out.rows, out.cols, m, out.adjointTangent, 0, x.adjointTangent, 0,
        accumulates(x));
  }
}
