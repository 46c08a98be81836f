package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * {@code y = f(x)} applied entry by entry, for any {@link UnaryFunction} (sigmoid, tanh, relu,
 * exp, log, square, sqrt, abs, softplus). With {@code f'} and {@code f''} taken at each entry:
 *
 * <pre>
 *   value            y        = f(x)
 *   tangent          ydot     = f'(x) xdot
 *   adjoint          xbar    += f'(x) ybar
 *   adjoint tangent  xbardot += f'(x) ybardot + f''(x) ybar xdot
 * </pre>
 *
 * {@code f'} is a residual kept from the forward sweep, and {@code f''(x) ybar} one kept from
 * the first second-order sweep after the reverse sweep, since Hessian products at one point
 * come in repeated batches of directions. The adjoint tangent is then one pass.
 */
final class Elementwise extends Op {

  private static final int FIRST = 0;
  private static final int CURVATURE = 1;

  private final Var x;
  private final UnaryFunction f;
  /** Whether the CURVATURE slot holds {@code f''(x) ybar} for the current value and adjoint. */
  private boolean curvatureCurrent;

  Elementwise(Var out, Var x, UnaryFunction f) {
    super(out, x);
    this.x = x;
    this.f = f;
  }

  @Override
  String name() {
    return f.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  void forward() {
    int size = out.size();
    Kernels.map(f, size, x.value, 0, out.value, 0);
    curvatureCurrent = false;
    if (out.active) {
      Kernels.mapDerivative(f, 1, size, x.value, 0, out.value, 0, scratch(FIRST, size), 0);
    }
  }

  @Override
  void jvp(int m) {
    Kernels.mulRepeated(x.rows, x.cols, m, scratch(FIRST, 0), 0, x.tangent, 0, out.tangent, 0, false);
  }

  @Override
  void vjp() {
    Kernels.mul(out.size(), scratch(FIRST, 0), 0, out.adjoint, 0, x.adjoint, 0, true);
    curvatureCurrent = false;
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    int size = out.size();
    double[] curvature = scratch(CURVATURE, size);
    if (!curvatureCurrent) {
      Kernels.mapDerivative(f, 2, size, x.value, 0, out.value, 0, curvature, 0);
      Kernels.mul(size, curvature, 0, out.adjoint, 0, curvature, 0, false);
      curvatureCurrent = true;
    }
    Kernels.mulAddRepeated(x.rows, x.cols, m, scratch(FIRST, 0), 0, out.adjointTangent, 0,
        curvature, 0, x.tangent, 0, x.adjointTangent, 0, accumulates(x));
  }
}
