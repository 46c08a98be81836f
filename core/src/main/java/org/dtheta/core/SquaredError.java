package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code L = sum (Y - T)^2} over all entries; {@code T} may be a constant or depend on the
 * variables. With {@code G = 2 (Y - T)} ({@code dL/dY}; {@code dL/dT = -G}), in {@link
 * ScalarLoss}'s terms (signs {@code +1} for {@code Y}, {@code -1} for {@code T}):
 *
 * <pre>
 *   value            L        = sum (Y - T)^2
 *   tangent          Ldot_d   = &lt;G, Ydot_d&gt; - &lt;G, Tdot_d&gt;
 *   adjoint          Ybar    += Lbar G                 Tbar    -= Lbar G
 *   adjoint tangent  Ybardot_d += Lbardot_d G + 2 Lbar (Ydot_d - Tdot_d)
 *                    Tbardot_d -= Lbardot_d G + 2 Lbar (Ydot_d - Tdot_d)
 * </pre>
 */
final class SquaredError extends ScalarLoss {

  private final Var y;
  private final Var t;

  SquaredError(Var out, Var y, Var t) {
    super(out, new Var[] {y, t}, new double[] {1.0, -1.0});
    this.y = y;
    this.t = t;
  }

  @Override
  String name() {
    return "squaredError";
  }

  @Override
  void forward() {
    int n = rows * cols;
    double[] g = gradient();
    Kernels.addScaled(n, y.value, 0, -1.0, t.value, 0, g, 0);
    out.value[0] = Kernels.dot(n, g, 0, g, 0);
    Kernels.scale(n, 2.0, g, 0);
  }

  @Override
  void addCurvature(double weight, int m, double[] target, boolean accumulate) {
    int n = rows * cols * m;
    if (!accumulate) {
      Kernels.fill(n, 0.0, target, 0);
    }
    if (y.active) {
      Kernels.axpy(n, 2.0 * weight, y.tangent, 0, target, 0);
    }
    if (t.active) {
      Kernels.axpy(n, -2.0 * weight, t.tangent, 0, target, 0);
    }
  }
}
