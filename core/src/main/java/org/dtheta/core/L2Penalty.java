package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * The weight-decay term {@code L = (lambda/2) sum W^2} for a fixed coefficient {@code lambda}.
 * With {@code G = lambda W}, in {@link ScalarLoss}'s terms:
 *
 * <pre>
 *   value            L        = (lambda/2) sum W^2
 *   tangent          Ldot_d   = &lt;G, Wdot_d&gt;
 *   adjoint          Wbar    += Lbar G
 *   adjoint tangent  Wbardot_d += Lbardot_d G + Lbar lambda Wdot_d
 * </pre>
 */
final class L2Penalty extends ScalarLoss {

  private final Var w;
  private final double lambda;

  L2Penalty(Var out, Var w, double lambda) {
    super(out, new Var[] {w}, new double[] {1.0});
    this.w = w;
    this.lambda = lambda;
  }

  @Override
  String name() {
    return "l2Penalty";
  }

  @Override
  void forward() {
    int n = rows * cols;
    out.value[0] = 0.5 * lambda * Kernels.dot(n, w.value, 0, w.value, 0);
    double[] g = gradient();
    Kernels.copy(n, w.value, 0, g, 0);
    Kernels.scale(n, lambda, g, 0);
  }

  @Override
  void addCurvature(double weight, int m, double[] target, boolean accumulate) {
    if (!accumulate) {
      Kernels.fill(rows * cols * m, 0.0, target, 0);
    }
    Kernels.axpy(rows * cols * m, weight * lambda, w.tangent, 0, target, 0);
  }
}
