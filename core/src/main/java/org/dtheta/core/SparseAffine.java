package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.sparse.CsrMatrix;

/**
 * {@code Y = X W + 1 b}: a fixed sparse {@code X} (data, in {@link CsrMatrix} form) times the
 * node {@code W}, plus the {@code 1 x n} row {@code b} in every row (a layer's bias). Linear in
 * {@code (W, b)}, so the second-order term vanishes:
 *
 * <pre>
 *   value            Y        = X W + 1 b
 *   tangent          Ydot     = X Wdot + 1 bdot
 *   adjoint          Wbar    += X^T Ybar            bbar    += 1^T Ybar     (column sums)
 *   adjoint tangent  Wbardot += X^T Ybardot         bbardot += 1^T Ybardot
 * </pre>
 *
 * The same as {@code addRowBroadcast(sparseMatmul(X, W), b)}, without the intermediate node:
 * each row of {@code Y} starts from {@code b} inside the product, and the column sums come from
 * the same pass over {@code Ybar} as {@code X^T Ybar}, so the bias costs no pass of its own
 * over the {@code q x (m n)} tangents. In the tangent layout {@code bdot} is one row of
 * {@code m n} entries, which is exactly the row each row of {@code Ydot} starts from.
 */
final class SparseAffine extends Op {

  private final CsrMatrix x;
  private final Var w;
  private final Var bias;

  SparseAffine(Var out, CsrMatrix x, Var w, Var bias) {
    super(out, w, bias);
    this.x = x;
    this.w = w;
    this.bias = bias;
  }

  @Override
  String name() {
    return "sparseAffine";
  }

  @Override
  void forward() {
    x.multiplyAffine(w.value, w.cols, bias.value, out.value);
  }

  @Override
  void jvp(int m) {
    int n = m * w.cols;
    if (!w.active) {
      Kernels.fill(out.rows * n, 0.0, out.tangent, 0);
      Kernels.addRowVector(out.rows, w.cols, m, bias.tangent, 0, out.tangent, 0);
    } else if (bias.active) {
      x.multiplyAffine(w.tangent, n, bias.tangent, out.tangent);
    } else {
      x.multiply(w.tangent, n, out.tangent, false);
    }
  }

  @Override
  void vjp() {
    adjoint(out.adjoint, w.cols, w.adjoint, bias.adjoint);
  }

  @Override
  void vjpTangent(int m) {
    adjoint(out.adjointTangent, m * w.cols, w.adjointTangent, bias.adjointTangent);
  }

  /** {@code Wbar += X^T Ybar} and {@code bbar += 1^T Ybar} for the active ones, n columns. */
  private void adjoint(double[] ybar, int n, double[] wbar, double[] bbar) {
    if (w.active && bias.active) {
      x.multiplyTransposedWithColumnSums(ybar, n, wbar, bbar);
    } else if (w.active) {
      x.multiplyTransposed(ybar, n, wbar, true);
    } else {
      Kernels.sumColumnsInto(out.rows, n, ybar, 0, n, bbar, 0);
    }
  }
}
