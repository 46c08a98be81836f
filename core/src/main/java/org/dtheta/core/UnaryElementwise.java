package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * The rule family of {@code y = f(x)} applied entry by entry (beside {@link
 * BinaryElementwise}): the four rules, written once, in terms of the function's values and of
 * its first and second derivatives at each entry.
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
abstract class UnaryElementwise extends Op {

  private static final int FIRST = 0;
  private static final int CURVATURE = 1;

  final Var x;
  /** Whether the CURVATURE slot holds {@code f''(x) ybar} for the current value and adjoint. */
  private boolean curvatureCurrent;

  UnaryElementwise(Var out, Var x) {
    super(out, x);
    this.x = x;
  }

  /** {@code y[i] = f(x[i])} for {@code size} entries. */
  abstract void values(int size, double[] x, double[] y);

  /** {@code out[i]}: the {@code order}-th derivative (1 or 2) of f at {@code x[i]}; {@code y = f(x)}. */
  abstract void derivatives(int order, int size, double[] x, double[] y, double[] out);

  @Override
  final void forward() {
    int size = out.size();
    values(size, x.value, out.value);
    curvatureCurrent = false;
    if (out.active) {
      derivatives(1, size, x.value, out.value, scratch(FIRST, size));
    }
  }

  @Override
  final void jvp(int m) {
    Kernels.mulRepeated(x.rows, x.cols, m, scratch(FIRST, 0), 0, x.tangent, 0, out.tangent, 0, false);
  }

  @Override
  final void vjp() {
    Kernels.mul(out.size(), scratch(FIRST, 0), 0, out.adjoint, 0, x.adjoint, 0, true);
    curvatureCurrent = false;
  }

  @Override
  final boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  final void vjpTangent(int m) {
    int size = out.size();
    double[] curvature = scratch(CURVATURE, size);
    if (!curvatureCurrent) {
      derivatives(2, size, x.value, out.value, curvature);
      Kernels.mul(size, curvature, 0, out.adjoint, 0, curvature, 0, false);
      curvatureCurrent = true;
    }
    Kernels.mulAddRepeated(x.rows, x.cols, m, scratch(FIRST, 0), 0, out.adjointTangent, 0,
        curvature, 0, x.tangent, 0, x.adjointTangent, 0, accumulates(x));
  }
}
