package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.Parallel;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * {@code Y = f(X) W}: an elementwise function followed by a matrix product ({@code (p x q)(q x
 * n)}), the hidden layer and output weights of a network, as one op. With {@code Z = f(X)},
 * {@code F1 = f'(X)}, {@code F2 = f''(X)} and {@code Zbar = Ybar W^T}:
 *
 * <pre>
 *   value            Y        = Z W
 *   tangent          Ydot     = (F1 Xdot) W + Z Wdot
 *   adjoint          Xbar    += F1 Zbar,                     Wbar += Z^T Ybar
 *   adjoint tangent  Xbardot += F1 (Ybardot W^T + Ybar Wdot^T) + F2 Zbar Xdot
 *                    Wbardot += Z^T Ybardot + (F1 Xdot)^T Ybar
 * </pre>
 *
 * The same rules as {@link Elementwise} then {@link MatMul}, but the tangents of {@code Z} and
 * the adjoint tangents of {@code Z} ({@code p x mq} each, 149 MB for 7456 samples, 50 hidden
 * units and 50 directions) are never whole arrays: the tangent sweep goes from {@code Xdot} to
 * {@code (F1 Xdot) W} in one pass ({@code Kernels.activationTangent}), and the second-order
 * reverse sweep goes to {@code Xbardot} in one pass per block of rows
 * ({@code Kernels.activationAdjointTangent}), which leaves the block's tangent of {@code Z} in
 * cache for the weight's share; that saves about six passes over such arrays per second-order
 * sweep. Rows are cut into {@link #GROUPS} fixed groups (whatever the thread count, so the bits
 * do not depend on it), each walked in blocks by one task; the weight's adjoint tangent sums the
 * groups' shares in group order.
 */
final class ActivatedMatMul extends Op {

  /** Fixed groups of rows, each one task. */
  static final int GROUPS = 4;
  /** Doubles per block buffer of a group (the block's tangent of f(X), about 320 KB). */
  private static final int BLOCK_DOUBLES = 40 * 1024;

  private static final int Z = 0;
  private static final int FIRST = 1;
  private static final int ZBAR = 2;
  private static final int CURVATURE = 3;
  private static final int MOVED = 4;
  private static final int W_TRANSPOSED = 5;
  private static final int ROW = 6;
  /** Per group g: slots GROUP_BASE + 2g (tangent of Z) and + 1 (W share). */
  private static final int GROUP_BASE = 7;

  private final Var x;
  private final Var w;
  private final UnaryFunction f;
  private final int p;
  private final int q;
  private final int n;
  /** Whether the CURVATURE slot holds {@code F2 Zbar} for the current value and adjoint. */
  private boolean curvatureCurrent;

  ActivatedMatMul(Var out, Var x, UnaryFunction f, Var w) {
    super(out, x, w);
    this.x = x;
    this.w = w;
    this.f = f;
    this.p = x.rows;
    this.q = x.cols;
    this.n = w.cols;
  }

  @Override
  String name() {
    return "matmul(" + f.name().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  @Override
  void forward() {
    double[] z = scratch(Z, p * q);
    Kernels.map(f, p * q, x.value, 0, z, 0);
    Kernels.gemm(false, false, p, n, q, 1.0, z, 0, q, w.value, 0, n, 0.0, out.value, 0, n);
    curvatureCurrent = false;
    if (out.active) {
      Kernels.mapDerivative(f, 1, p * q, x.value, 0, z, 0, scratch(FIRST, p * q), 0);
    }
  }

  @Override
  void jvp(int m) {
    double[] z = scratch(Z, 0);
    if (x.active) {
      // Ydot = (F1 Xdot) W in one pass over Xdot, no tangent of Z made
      Kernels.activationTangent(p, q, m, n, scratch(FIRST, 0), 0, x.tangent, 0, w.value, 0,
          out.tangent, 0);
    }
    if (w.active) { // += Z Wdot: Wdot as q x (m n)
      Kernels.gemm(false, false, p, m * n, q, 1.0, z, 0, q, w.tangent, 0, m * n,
          x.active ? 1.0 : 0.0, out.tangent, 0, m * n);
    }
  }

  @Override
  void vjp() {
    double[] zBar = scratch(ZBAR, p * q);
    Kernels.gemm(false, true, p, q, n, 1.0, out.adjoint, 0, n, w.value, 0, n, 0.0, zBar, 0, q);
    if (x.active) {
      Kernels.mul(p * q, scratch(FIRST, 0), 0, zBar, 0, x.adjoint, 0, true);
    }
    if (w.active) {
      Kernels.gemm(true, false, q, n, p, 1.0, scratch(Z, 0), 0, q, out.adjoint, 0, n, 1.0,
          w.adjoint, 0, n);
    }
    curvatureCurrent = false;
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  @Override
  void vjpTangent(int m) {
    double[] z = scratch(Z, 0);
    double[] first = scratch(FIRST, 0);
    double[] yBar = out.adjoint;
    double[] yBarDot = out.adjointTangent;
    if (x.active) {
      double[] curvature = scratch(CURVATURE, p * q);
      if (!curvatureCurrent) {
        Kernels.mapDerivative(f, 2, p * q, x.value, 0, z, 0, curvature, 0);
        Kernels.mul(p * q, curvature, 0, scratch(ZBAR, 0), 0, curvature, 0, false);
        curvatureCurrent = true;
      }
      // W^T (n x q), and Wdot (q, m, n) as n x (m q): both products below are then plain A B
      double[] wT = scratch(W_TRANSPOSED, n * q);
      Kernels.transpose(q, n, w.value, 0, n, wT, 0, q);
      double[] wDotT = w.active ? scratch(MOVED, n * m * q) : null;
      if (wDotT != null) {
        Kernels.transpose(q * m, n, w.tangent, 0, n, wDotT, 0, q * m);
        // columns now run (j, d): reorder each row to (d, j), the tangent layout of Z
        double[] row = scratch(ROW, q * m);
        for (int c = 0; c < n; c++) {
          Kernels.copy(q * m, wDotT, c * q * m, row, 0);
          Kernels.transpose(q, m, row, 0, m, wDotT, c * q * m, q);
        }
      }
      boolean fresh = !accumulates(x);
      boolean wShare = w.active;
      if (wShare) {
        for (int g = 0; g < GROUPS; g++) {
          java.util.Arrays.fill(scratch(GROUP_BASE + 2 * g + 1, m * q * n), 0, m * q * n, 0.0);
        }
      }
      forEachBlock(m, (g, r0, r1) -> {
        int rows = r1 - r0;
        // Xbardot (+)= F1 (Ybardot W^T + Ybar Wdot^T) + F2 Zbar Xdot in one pass over the
        // block, which also leaves F1 Xdot, this block's tangent of Z, for the weight's share
        double[] zDot = wShare ? scratch(GROUP_BASE + 2 * g, 0) : null;
        Kernels.activationAdjointTangent(rows, q, m, n, yBarDot, r0 * m * n, wT, 0, yBar, r0 * n,
            wDotT, 0, first, r0 * q, curvature, r0 * q, x.tangent, r0 * m * q,
            x.adjointTangent, r0 * m * q, !fresh, zDot, 0);
        if (wShare) { // this group's Ybar^T (F1 Xdot): n x (m q), rows of the block in order
          Kernels.addOuterProducts(rows, m * q, n, zDot, 0, m * q, yBar, r0 * n, n,
              scratch(GROUP_BASE + 2 * g + 1, 0), 0);
        }
      });
    }
    if (w.active) {
      // Wbardot (+)= Z^T Ybardot (Ybardot as p x (m n)), + the groups' shares moved back
      Kernels.gemm(true, false, q, m * n, p, 1.0, z, 0, q, yBarDot, 0, m * n, firstBeta(w),
          w.adjointTangent, 0, m * n);
      if (x.active) {
        double[] sum = scratch(GROUP_BASE + 1, 0);
        for (int g = 1; g < GROUPS; g++) {
          Kernels.axpy(m * q * n, 1.0, scratch(GROUP_BASE + 2 * g + 1, 0), 0, sum, 0);
        }
        // n x (m q) to (m q) x n, directions outside, then moved inside as in MatMul
        double[] product = scratch(ROW, m * q * n);
        Kernels.transpose(n, m * q, sum, 0, m * q, product, 0, n);
        Kernels.transposeBlocks(m, q, n, product, 0, w.adjointTangent, 0, true);
      }
    }
  }

  /** One block of rows {@code [r0, r1)} of group {@code g}. */
  @FunctionalInterface
  private interface BlockBody {
    void run(int g, int r0, int r1);
  }

  /**
   * Runs {@code body} over the rows in {@link #GROUPS} fixed groups, one task each, every group
   * in blocks whose {@code rows x mq} buffers fit {@link #BLOCK_DOUBLES}; makes each group's
   * buffers first.
   */
  private void forEachBlock(int m, BlockBody body) {
    int width = m * q;
    int blockRows = Math.max(1, BLOCK_DOUBLES / width);
    for (int g = 0; g < GROUPS; g++) { // buffers made here, not by racing tasks
      scratch(GROUP_BASE + 2 * g, blockRows * width);
    }
    Parallel.forEachChunk(GROUPS, g -> {
      int end = Parallel.bandStart(p, g + 1, GROUPS);
      for (int r0 = Parallel.bandStart(p, g, GROUPS); r0 < end; r0 += blockRows) {
        body.run(g, r0, Math.min(end, r0 + blockRows));
      }
    });
  }
}
