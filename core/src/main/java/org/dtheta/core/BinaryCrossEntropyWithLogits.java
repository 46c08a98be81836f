package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * Mean binary cross-entropy of {@code sigmoid(Z)} against targets {@code T} (a constant of the
 * same shape, entries usually 0 or 1), from the logits {@code Z} without forming log(0): over
 * the {@code n} entries, with {@code S = sigmoid(Z)} and {@code G = (S - T)/n}, in {@link
 * ScalarLoss}'s terms:
 *
 * <pre>
 *   value            L        = (1/n) sum max(z,0) - z t + log(1 + exp(-|z|))
 *   tangent          Ldot_d   = &lt;G, Zdot_d&gt;
 *   adjoint          Zbar    += Lbar G
 *   adjoint tangent  Zbardot_d += Lbardot_d G + (Lbar/n) S (1 - S) * Zdot_d
 * </pre>
 *
 * (The value is {@code -(1/n) sum t log s + (1 - t) log(1 - s)} rewritten with softplus; its
 * Hessian is diagonal.)
 */
final class BinaryCrossEntropyWithLogits extends ScalarLoss {

  private static final int SIGMOID = FIRST_FREE_SLOT;
  private static final int CURVATURE = FIRST_FREE_SLOT + 1;

  private final Var logits;
  private final Var targets;

  BinaryCrossEntropyWithLogits(Var out, Var logits, Var targets) {
    super(out, new Var[] {logits, targets}, new double[] {1.0, 0.0});
    this.logits = logits;
    this.targets = targets;
  }

  @Override
  String name() {
    return "binaryCrossEntropyWithLogits";
  }

  @Override
  void forward() {
    int n = rows * cols;
    double[] z = logits.value;
    double[] t = targets.value;
    out.value[0] = (Kernels.softplusSum(n, z, 0) - Kernels.dot(n, z, 0, t, 0)) / n;
    double[] s = scratch(SIGMOID, n);
    Kernels.map(UnaryFunction.SIGMOID, n, z, 0, s, 0);
    double[] g = gradient();
    Kernels.addScaled(n, s, 0, -1.0, t, 0, g, 0);
    Kernels.scale(n, 1.0 / n, g, 0);
  }

  @Override
  void addCurvature(double weight, int m, double[] target, boolean accumulate) {
    int n = rows * cols;
    double[] curvature = scratch(CURVATURE, n);
    Kernels.mapDerivative(UnaryFunction.SIGMOID, 1, n, logits.value, 0, scratch(SIGMOID, 0), 0,
        curvature, 0);
    Kernels.scale(n, weight / n, curvature, 0);
    Kernels.mulRepeated(rows, cols, m, curvature, 0, logits.tangent, 0, target, 0, accumulate);
  }
}
