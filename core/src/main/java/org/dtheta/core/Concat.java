package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code Y = [X_1; X_2; ...]} (stacked rows) or {@code [X_1, X_2, ...]} (side by side), the op
 * behind {@link Ops#concatRows} and {@link Ops#concatColumns}. Linear; part {@code k} is the
 * block of {@code Y} at rows {@code R_k..}, columns {@code C_k..}, and the transpose of placing
 * it is selecting it:
 *
 * <pre>
 *   value            Y          = sum_k P_k X_k     (P_k places part k)
 *   tangent          Ydot       = sum_k P_k Xdot_k  (inactive parts leave zeros)
 *   adjoint          Xbar_k    += P_k^T Ybar        (the block of part k)
 *   adjoint tangent  Xbardot_k += P_k^T Ybardot
 * </pre>
 *
 * As in {@link Slice}, the tangents of a block are a block of the {@code (rows*m) x cols} view
 * of the tangent layout, so each rule is one strided block copy per part. A part may appear
 * more than once; its adjoints accumulate.
 */
final class Concat extends Op {

  private final String name;
  private final Var[] parts;
  private final int[] rowStart;
  private final int[] colStart;
  private final boolean someInactive;

  Concat(String name, Var out, Var[] parts, boolean stackRows) {
    super(out, parts);
    this.name = name;
    this.parts = parts;
    this.rowStart = new int[parts.length];
    this.colStart = new int[parts.length];
    int offset = 0;
    boolean inactive = false;
    for (int k = 0; k < parts.length; k++) {
      (stackRows ? rowStart : colStart)[k] = offset;
      offset += stackRows ? parts[k].rows : parts[k].cols;
      inactive |= !parts[k].active;
    }
    this.someInactive = inactive;
  }

  @Override
  String name() {
    return name;
  }

  @Override
  void forward() {
    for (int k = 0; k < parts.length; k++) {
      Var p = parts[k];
      Kernels.copyBlock(p.rows, p.cols, p.value, 0, p.cols, out.value, offset(k, 1), out.cols,
          false);
    }
  }

  @Override
  void jvp(int m) {
    if (someInactive) {
      Kernels.fill(out.size() * m, 0.0, out.tangent, 0);
    }
    for (int k = 0; k < parts.length; k++) {
      Var p = parts[k];
      if (p.active) {
        Kernels.copyBlock(p.rows * m, p.cols, p.tangent, 0, p.cols, out.tangent, offset(k, m),
            out.cols, false);
      }
    }
  }

  @Override
  void vjp() {
    for (int k = 0; k < parts.length; k++) {
      Var p = parts[k];
      if (p.active) {
        Kernels.copyBlock(p.rows, p.cols, out.adjoint, offset(k, 1), out.cols, p.adjoint, 0,
            p.cols, true);
      }
    }
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    for (int k = 0; k < parts.length; k++) {
      Var p = parts[k];
      if (p.active) {
        Kernels.copyBlock(p.rows * m, p.cols, out.adjointTangent, offset(k, m), out.cols,
            p.adjointTangent, 0, p.cols, accumulates(p));
      }
    }
  }

  /** Where part {@code k}'s block starts in {@code Y}'s layout for {@code m} directions. */
  private int offset(int k, int m) {
    return rowStart[k] * m * out.cols + colStart[k];
  }
}
