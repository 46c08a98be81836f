package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = X + c} for a fixed number {@code c} added to every entry. Affine with identity
 * Jacobian, so derivatives pass through unchanged:
 *
 * <pre>
 *   value            Y        = X + c
 *   tangent          Ydot     = Xdot
 *   adjoint          Xbar    += Ybar
 *   adjoint tangent  Xbardot += Ybardot
 * </pre>
 */
final class AddConstant extends Op {

  private final Var x;
  private final double c;

  AddConstant(Var out, Var x, double c) {
    super(out, x);
    this.x = x;
    this.c = c;
  }

  @Override
  String name() {
    return "addConstant";
  }

  @Override
  void forward() {
    Kernels.copy(x.size(), x.value, 0, out.value, 0);
    Kernels.addConstant(x.size(), c, out.value, 0);
  }

  @Override
  void jvp(int m) {
    Kernels.copy(x.size() * m, x.tangent, 0, out.tangent, 0);
  }

  @Override
  void vjp() {
    Kernels.axpy(x.size(), 1.0, out.adjoint, 0, x.adjoint, 0);
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    int n = x.size() * m;
    if (accumulates(x)) {
      Kernels.axpy(n, 1.0, out.adjointTangent, 0, x.adjointTangent, 0);
    } else {
      Kernels.copy(n, out.adjointTangent, 0, x.adjointTangent, 0);
    }
  }
}
