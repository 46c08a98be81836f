package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * Mean cross-entropy of row softmaxes against targets, from logits, without forming log(0):
 * for logits {@code Z} and targets {@code T} ({@code r x c}, a constant), {@code P = softmax(Z)}
 * by row, {@code s_i = sum_j T_ij} (1 for one-hot rows) and {@code G = (s P - T) / r}. In
 * {@link ScalarLoss}'s terms:
 *
 * <pre>
 *   value            L        = (1/r) sum_i (s_i logsumexp(Z_i) - &lt;T_i, Z_i&gt;)
 *   tangent          Ldot_d   = &lt;G, Zdot_d&gt;
 *   adjoint          Zbar    += Lbar G
 *   adjoint tangent  Zbardot_d += Lbardot_d G + (Lbar/r) s P * (Zdot_d - &lt;P, Zdot_d&gt;)
 * </pre>
 *
 * The curvature term is {@code Lbar/r} times {@code s_i} times the tangent of {@code P}, whose
 * Jacobian is the full {@code diag(p) - p p^T} (see {@link SoftmaxJacobian}).
 */
final class SoftmaxCrossEntropy extends ScalarLoss {

  private static final int PROBABILITIES = FIRST_FREE_SLOT;
  private static final int LOG_NORMALISERS = FIRST_FREE_SLOT + 1;
  private static final int ROW_MASS = FIRST_FREE_SLOT + 2;
  private static final int WEIGHTED_P = FIRST_FREE_SLOT + 3;

  private final Var logits;
  private final Var targets;

  SoftmaxCrossEntropy(Var out, Var logits, Var targets) {
    super(out, new Var[] {logits, targets}, new double[] {1.0, 0.0});
    this.logits = logits;
    this.targets = targets;
  }

  @Override
  String name() {
    return "softmaxCrossEntropy";
  }

  @Override
  void forward() {
    int n = rows * cols;
    double[] t = targets.value;
    double[] prob = scratch(PROBABILITIES, n);
    double[] lse = scratch(LOG_NORMALISERS, rows);
    double[] mass = scratch(ROW_MASS, rows);
    Kernels.softmaxRows(rows, cols, logits.value, 0, prob, 0, lse, 0);
    Kernels.fill(rows, 0.0, mass, 0);
    Kernels.sumRowsInto(rows, cols, t, 0, cols, mass, 0);
    out.value[0] = (Kernels.dot(rows, mass, 0, lse, 0) - Kernels.dot(n, t, 0, logits.value, 0)) / rows;
    double[] g = gradient();
    Kernels.scaleRowsRepeated(rows, cols, 1, mass, 0, prob, 0, g, 0, false);
    Kernels.axpy(n, -1.0, t, 0, g, 0);
    Kernels.scale(n, 1.0 / rows, g, 0);
  }

  @Override
  void addCurvature(double weight, int m, double[] target, boolean accumulate) {
    double[] prob = scratch(PROBABILITIES, 0);
    double[] weightedP = scratch(WEIGHTED_P, rows * cols);
    Kernels.scaleRowsRepeated(rows, cols, 1, scratch(ROW_MASS, 0), 0, prob, 0, weightedP, 0, false);
    Kernels.scale(rows * cols, weight / rows, weightedP, 0);
    SoftmaxJacobian.apply(rows, cols, m, prob, weightedP, logits.tangent, target, accumulate);
  }
}
