package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = log softmax(X)} by row, without forming {@code log} of a probability: {@code Y = X -
 * logsumexp(X) 1^T}. With {@code P = softmax(X)} by row and {@code rowsum} within each row:
 *
 * <pre>
 *   value            Y        = X - logsumexp(X)
 *   tangent          Ydot     = Xdot - &lt;P, Xdot&gt;
 *   adjoint          Xbar    += Ybar - P rowsum(Ybar)
 *   adjoint tangent  Xbardot += Ybardot - P rowsum(Ybardot) - rowsum(Ybar) Pdot,
 *                    Pdot     = P * (Xdot - &lt;P, Xdot&gt;)
 * </pre>
 */
final class LogSoftmaxRows extends Op {

  private static final int PROBABILITIES = 0;
  private static final int LOG_NORMALISERS = 1;
  private static final int ROW_SCALARS = 2;
  private static final int WEIGHTED_P = 3;

  private final Var x;
  private final int r;
  private final int c;

  LogSoftmaxRows(Var out, Var x) {
    super(out, x);
    this.x = x;
    this.r = x.rows;
    this.c = x.cols;
  }

  @Override
  String name() {
    return "logSoftmaxRows";
  }

  @Override
  void forward() {
    double[] lse = scratch(LOG_NORMALISERS, r);
    Kernels.softmaxRows(r, c, x.value, 0, scratch(PROBABILITIES, r * c), 0, lse, 0);
    Kernels.copy(r * c, x.value, 0, out.value, 0);
    Kernels.addColumnVector(r, c, -1.0, lse, 0, out.value, 0);
  }

  @Override
  void jvp(int m) {
    double[] rowDots = scratch(ROW_SCALARS, r * m);
    Kernels.rowDotsRepeated(r, c, m, scratch(PROBABILITIES, 0), 0, x.tangent, 0, rowDots, 0);
    Kernels.copy(r * c * m, x.tangent, 0, out.tangent, 0);
    Kernels.addColumnVector(r * m, c, -1.0, rowDots, 0, out.tangent, 0);
  }

  @Override
  void vjp() {
    addTransposedJacobian(out.adjoint, 1, x.adjoint);
  }

  @Override
  void vjpTangent(int m) {
    addTransposedJacobian(out.adjointTangent, m, x.adjointTangent);
    // - rowsum(Ybar) Pdot: the softmax tangent with rows weighted by -rowsum(Ybar)
    double[] p = scratch(PROBABILITIES, 0);
    double[] weights = negatedRowSums(out.adjoint, 1);
    double[] weightedP = scratch(WEIGHTED_P, r * c);
    Kernels.scaleRowsRepeated(r, c, 1, weights, 0, p, 0, weightedP, 0, false);
    SoftmaxJacobian.apply(r, c, m, p, weightedP, x.tangent, x.adjointTangent, true);
  }

  /** {@code target_d += U_d - P rowsum(U_d)}: the transposed Jacobian for {@code m} directions. */
  private void addTransposedJacobian(double[] u, int m, double[] target) {
    Kernels.axpy(r * c * m, 1.0, u, 0, target, 0);
    Kernels.scaleRowsRepeated(r, c, m, negatedRowSums(u, m), 0, scratch(PROBABILITIES, 0), 0,
        target, 0, true);
  }

  /** {@code -rowsum(U_d)} per row and direction ({@code r*m} values, index {@code i*m+d}). */
  private double[] negatedRowSums(double[] u, int m) {
    double[] sums = scratch(ROW_SCALARS, r * m);
    Kernels.fill(r * m, 0.0, sums, 0);
    Kernels.sumRowsInto(r * m, c, u, 0, c, sums, 0);
    Kernels.scale(r * m, -1.0, sums, 0);
    return sums;
  }
}
