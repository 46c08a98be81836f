package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * Mean cross-entropy of row softmaxes against targets, from logits, without forming log(0):
 * for logits {@code Z} and targets {@code T} ({@code r x c}, a constant), {@code P = softmax(Z)}
 * by row, {@code s_i = sum_j T_ij} (1 for one-hot rows) and {@code G = s P - T}:
 *
 * <pre>
 *   value            L        = -(1/r) sum_ij T_ij (Z_ij - logsumexp_j Z_i.)
 *   tangent          Ldot_d   = (1/r) sum_ij G_ij Zdot_ijd
 *   adjoint          Zbar    += (Lbar/r) G
 *   adjoint tangent  Zbardot_d += (Lbardot_d/r) G + (Lbar/r) s P (Zdot_d - rowdot(P, Zdot_d))
 * </pre>
 *
 * The last line is {@code d/dt} of the adjoint: {@code Pdot = P (Zdot - rowdot(P, Zdot))}, the
 * full softmax Jacobian {@code diag(p) - p p^T} applied to {@code Zdot}.
 */
final class SoftmaxCrossEntropy extends Op {

  private static final int PROBABILITIES = 0;
  private static final int GRADIENT = 1;
  private static final int ROW_SCALARS = 2;
  private static final int SCALED_P = 3;
  private static final int ROW_MASS = 4;

  private final Var logits;
  private final Var targets;
  private final int r;
  private final int c;

  SoftmaxCrossEntropy(Var out, Var logits, Var targets) {
    super(out, logits, targets);
    this.logits = logits;
    this.targets = targets;
    this.r = logits.rows;
    this.c = logits.cols;
  }

  @Override
  String name() {
    return "softmaxCrossEntropy";
  }

  @Override
  void forward() {
    double[] z = logits.value;
    double[] t = targets.value;
    double[] prob = scratch(PROBABILITIES, r * c);
    double[] g = scratch(GRADIENT, r * c);
    double[] mass = scratch(ROW_MASS, r);
    double total = 0.0;
    for (int i = 0; i < r; i++) {
      int row = i * c;
      double lse = Kernels.softmaxRow(c, z, row, prob, row);
      double s = Kernels.sum(c, t, row);
      mass[i] = s;
      total += s * lse - Kernels.dot(c, t, row, z, row);
      Kernels.addScaled(c, t, row, -s, prob, row, g, row);
      Kernels.scale(c, -1.0, g, row);
    }
    out.value[0] = total / r;
  }

  @Override
  void jvp(int m) {
    double[] perRow = scratch(ROW_SCALARS, r * m);
    Kernels.rowDotsRepeated(r, c, m, scratch(GRADIENT, 0), 0, logits.tangent, 0, perRow, 0);
    Kernels.fill(m, 0.0, out.tangent, 0);
    Kernels.sumColumnsInto(r, m, perRow, 0, m, out.tangent, 0);
    Kernels.scale(m, 1.0 / r, out.tangent, 0);
  }

  @Override
  void vjp() {
    Kernels.axpy(r * c, out.adjoint[0] / r, scratch(GRADIENT, 0), 0, logits.adjoint, 0);
  }

  @Override
  void vjpTangent(int m) {
    double[] prob = scratch(PROBABILITIES, 0);
    double[] g = scratch(GRADIENT, 0);
    double[] mass = scratch(ROW_MASS, 0);
    double[] perRow = scratch(ROW_SCALARS, r * m);
    // (Lbardot_d / r) G
    for (int i = 0; i < r; i++) {
      for (int d = 0; d < m; d++) {
        perRow[i * m + d] = out.adjointTangent[d] / r;
      }
    }
    Kernels.scaleRowsRepeated(r, c, m, perRow, 0, g, 0, logits.adjointTangent, 0, true);
    // (Lbar / r) s_i P (Zdot - rowdot(P, Zdot))
    double[] scaledP = scratch(SCALED_P, r * c);
    for (int i = 0; i < r; i++) {
      Kernels.copy(c, prob, i * c, scaledP, i * c);
      Kernels.scale(c, out.adjoint[0] * mass[i] / r, scaledP, i * c);
    }
    Kernels.mulRepeated(r, c, m, scaledP, 0, logits.tangent, 0, logits.adjointTangent, 0, true);
    Kernels.rowDotsRepeated(r, c, m, prob, 0, logits.tangent, 0, perRow, 0);
    Kernels.scale(r * m, -1.0, perRow, 0);
    Kernels.scaleRowsRepeated(r, c, m, perRow, 0, scaledP, 0, logits.adjointTangent, 0, true);
  }
}
