package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = s X} for a {@code 1 x 1} node {@code s} multiplying every entry. Bilinear, so the
 * second-order terms are the cross terms only ({@code <., .>} sums over all entries):
 *
 * <pre>
 *   value            Y          = s X
 *   tangent          Ydot_d     = s Xdot_d + sdot_d X
 *   adjoint          Xbar      += s Ybar                      sbar      += &lt;X, Ybar&gt;
 *   adjoint tangent  Xbardot_d += s Ybardot_d + sdot_d Ybar
 *                    sbardot_d += &lt;X, Ybardot_d&gt; + &lt;Xdot_d, Ybar&gt;
 * </pre>
 *
 * The sums over all entries per direction are row dots in the tangent layout ({@code rows x
 * m}) followed by column sums. {@code s} may be {@code X} itself (then both are {@code 1 x 1});
 * the rules only add into adjoints, so its two shares add up.
 */
final class MulScalar extends Op {

  private static final int ROW_DOTS = 0;

  private final Var x;
  private final Var s;

  MulScalar(Var out, Var x, Var s) {
    super(out, x, s);
    this.x = x;
    this.s = s;
  }

  @Override
  String name() {
    return "mulScalar";
  }

  @Override
  void forward() {
    Kernels.copy(x.size(), x.value, 0, out.value, 0);
    Kernels.scale(x.size(), s.value[0], out.value, 0);
  }

  @Override
  void jvp(int m) {
    int n = x.size() * m;
    if (x.active) {
      Kernels.copy(n, x.tangent, 0, out.tangent, 0);
      Kernels.scale(n, s.value[0], out.tangent, 0);
    } else {
      Kernels.fill(n, 0.0, out.tangent, 0);
    }
    if (s.active) {
      Kernels.addScaledRepeated(x.rows, x.cols, m, s.tangent, 0, x.value, 0, out.tangent, 0);
    }
  }

  @Override
  void vjp() {
    if (x.active) {
      Kernels.axpy(x.size(), s.value[0], out.adjoint, 0, x.adjoint, 0);
    }
    if (s.active) {
      s.adjoint[0] += Kernels.dot(x.size(), x.value, 0, out.adjoint, 0);
    }
  }

  @Override
  void vjpTangent(int m) {
    if (x.active) {
      Kernels.axpy(x.size() * m, s.value[0], out.adjointTangent, 0, x.adjointTangent, 0);
      if (s.active) {
        Kernels.addScaledRepeated(x.rows, x.cols, m, s.tangent, 0, out.adjoint, 0,
            x.adjointTangent, 0);
      }
    }
    if (s.active) {
      double[] dots = scratch(ROW_DOTS, x.rows * m);
      Kernels.rowDotsRepeated(x.rows, x.cols, m, x.value, 0, out.adjointTangent, 0, dots, 0);
      Kernels.sumColumnsInto(x.rows, m, dots, 0, m, s.adjointTangent, 0);
      if (x.active) {
        Kernels.rowDotsRepeated(x.rows, x.cols, m, out.adjoint, 0, x.tangent, 0, dots, 0);
        Kernels.sumColumnsInto(x.rows, m, dots, 0, m, s.adjointTangent, 0);
      }
    }
  }
}
