package org.dtheta.core;

import org.dtheta.core.sparse.CsrMatrix;

/**
 * {@code C = X W} with {@code X} a fixed sparse matrix (data, in {@link CsrMatrix} form) and
 * {@code W} a node. Linear in {@code W}, so the second-order term vanishes:
 *
 * <pre>
 *   value            C        = X W
 *   tangent          Cdot     = X Wdot
 *   adjoint          Wbar    += X^T Cbar
 *   adjoint tangent  Wbardot += X^T Cbardot
 * </pre>
 *
 * In the tangent layout a {@code q x (m n)} tangent is a plain {@code q x (m n)} matrix, so the
 * {@code m} directions go through one sparse product. The transposed products gather over a
 * cached blocked transpose of {@code X} (see {@link CsrMatrix#multiplyTransposed}), keeping rows
 * of {@code Wbar} in registers while the block of {@code Cbar} they read stays in cache. With a
 * bias after it, {@link SparseAffine} does the same in one op.
 */
final class SparseMatMul extends Op {

  private final CsrMatrix x;
  private final Var w;

  SparseMatMul(Var out, CsrMatrix x, Var w) {
    super(out, w);
    this.x = x;
    this.w = w;
  }

  @Override
  String name() {
    return "sparseMatmul";
  }

  @Override
  void forward() {
    x.multiply(w.value, w.cols, out.value, false);
  }

  @Override
  void jvp(int m) {
    x.multiply(w.tangent, m * w.cols, out.tangent, false);
  }

  @Override
  void vjp() {
    x.multiplyTransposed(out.adjoint, w.cols, w.adjoint, true);
  }

  @Override
  void vjpTangent(int m) {
    x.multiplyTransposed(out.adjointTangent, m * w.cols, w.adjointTangent, true);
  }
}
