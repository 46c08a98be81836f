package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = softmax(X)} by row, computed stably. Row {@code i} has the symmetric Jacobian
 * {@code J_i = diag(y_i) - y_i y_i^T}, so (row by row, {@code <.,.>} a dot product within the
 * row):
 *
 * <pre>
 *   value            Y       = exp(X - logsumexp(X))
 *   tangent          Ydot    = J Xdot    = Y * (Xdot - &lt;Y, Xdot&gt;)
 *   adjoint          Xbar   += J Ybar    = Y * (Ybar - &lt;Y, Ybar&gt;)
 *   adjoint tangent  Xbardot += J Ybardot + Ydot * (Ybar - &lt;Y, Ybar&gt;) - Y &lt;Ydot, Ybar&gt;
 * </pre>
 *
 * The last two terms are {@code dJ[Ydot] Ybar}; {@code Ydot} is this op's own output tangent,
 * still in place from the forward tangent sweep.
 */
final class SoftmaxRows extends Op {

  private static final int LOG_NORMALISERS = 0;
  private static final int ROW_DOTS = 1;
  private static final int CENTRED_ADJOINT = 2;

  private final Var x;
  private final int r;
  private final int c;

  SoftmaxRows(Var out, Var x) {
    super(out, x);
    this.x = x;
    this.r = x.rows;
    this.c = x.cols;
  }

  @Override
  String name() {
    return "softmaxRows";
  }

  @Override
  void forward() {
    Kernels.softmaxRows(r, c, x.value, 0, out.value, 0, scratch(LOG_NORMALISERS, r), 0);
  }

  @Override
  void jvp(int m) {
    double[] y = out.value;
    SoftmaxJacobian.apply(r, c, m, y, y, x.tangent, out.tangent, false);
  }

  @Override
  void vjp() {
    double[] y = out.value;
    SoftmaxJacobian.apply(r, c, 1, y, y, out.adjoint, x.adjoint, true);
  }

  @Override
  void vjpTangent(int m) {
    double[] y = out.value;
    double[] yBar = out.adjoint;
    SoftmaxJacobian.apply(r, c, m, y, y, out.adjointTangent, x.adjointTangent, true);
    double[] rowDots = scratch(ROW_DOTS, r * m);
    // Ydot * (Ybar - <Y, Ybar>)
    double[] centred = scratch(CENTRED_ADJOINT, r * c);
    Kernels.rowDotsRepeated(r, c, 1, y, 0, yBar, 0, rowDots, 0);
    Kernels.copy(r * c, yBar, 0, centred, 0);
    Kernels.addColumnVector(r, c, -1.0, rowDots, 0, centred, 0);
    Kernels.mulRepeated(r, c, m, centred, 0, out.tangent, 0, x.adjointTangent, 0, true);
    // - Y <Ydot, Ybar>
    Kernels.rowDotsRepeated(r, c, m, yBar, 0, out.tangent, 0, rowDots, 0);
    Kernels.scale(r * m, -1.0, rowDots, 0);
    Kernels.scaleRowsRepeated(r, c, m, rowDots, 0, y, 0, x.adjointTangent, 0, true);
  }
}
