package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = x^p} entry by entry for a fixed exponent {@code p} ({@link Math#pow}; for a
 * non-integer {@code p} only {@code x > 0} is meaningful, and for {@code p < 2} the derivatives
 * are infinite at 0). As {@link Elementwise}, with {@code f' = p x^(p-1)} and {@code f'' = p
 * (p-1) x^(p-2)} (taken as 0 where the coefficient is 0, e.g. {@code f''} for {@code p = 1}):
 *
 * <pre>
 *   value            y        = x^p
 *   tangent          ydot     = f'(x) xdot
 *   adjoint          xbar    += f'(x) ybar
 *   adjoint tangent  xbardot += f'(x) ybardot + f''(x) ybar xdot
 * </pre>
 *
 * {@code f'} is a residual of the forward sweep, {@code f''(x) ybar} one of the first
 * second-order sweep after a reverse sweep, as in {@link Elementwise}.
 */
final class Power extends Op {

  private static final int FIRST = 0;
  private static final int CURVATURE = 1;

  private final Var x;
  private final double p;
  /** Whether the CURVATURE slot holds {@code f''(x) ybar} for the current value and adjoint. */
  private boolean curvatureCurrent;

  Power(Var out, Var x, double p) {
    super(out, x);
    this.x = x;
    this.p = p;
  }

  @Override
  String name() {
    return "pow";
  }

  @Override
  void forward() {
    int size = out.size();
    Kernels.power(size, 1.0, p, x.value, 0, out.value, 0);
    curvatureCurrent = false;
    if (out.active) {
      Kernels.power(size, p, p - 1.0, x.value, 0, scratch(FIRST, size), 0);
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
      Kernels.power(size, p * (p - 1.0), p - 2.0, x.value, 0, curvature, 0);
      Kernels.mul(size, curvature, 0, out.adjoint, 0, curvature, 0, false);
      curvatureCurrent = true;
    }
    Kernels.mulAddRepeated(x.rows, x.cols, m, scratch(FIRST, 0), 0, out.adjointTangent, 0,
        curvature, 0, x.tangent, 0, x.adjointTangent, 0, accumulates(x));
  }
}
