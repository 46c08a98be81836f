package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = a / b} entry by entry. With {@code r = 1/b} and {@code q = -y r = -a/b^2} (the
 * partials {@code fa} and {@code fb}), in {@link BinaryElementwise}'s terms:
 *
 * <pre>
 *   value            y        = a / b
 *   tangent          ydot     = r adot + q bdot
 *   adjoint          abar    += r ybar                              bbar += q ybar
 *   adjoint tangent  abardot += r ybardot - ybar r^2 bdot
 *                    bbardot += q ybardot - ybar r^2 adot - 2 ybar q r bdot
 * </pre>
 *
 * ({@code faa = 0}, {@code fab = -1/b^2 = -r^2}, {@code fbb = 2a/b^3 = -2 q r}.)
 */
final class Divide extends BinaryElementwise {

  private static final int RECIPROCAL = 0;
  private static final int PARTIAL_B = 1;
  private static final int SECOND_AB = 2;
  private static final int SECOND_BB = 3;

  Divide(Var out, Var a, Var b) {
    super(out, a, b);
  }

  @Override
  String name() {
    return "div";
  }

  @Override
  void forward() {
    int n = out.size();
    Kernels.div(n, a.value, 0, b.value, 0, out.value, 0);
    if (out.active) {
      double[] r = scratch(RECIPROCAL, n);
      Kernels.fill(n, 1.0, r, 0);
      Kernels.div(n, r, 0, b.value, 0, r, 0);
      double[] q = scratch(PARTIAL_B, n);
      Kernels.mul(n, out.value, 0, r, 0, q, 0, false);
      Kernels.scale(n, -1.0, q, 0);
    }
  }

  @Override
  double[] partialA() {
    return scratch(RECIPROCAL, 0);
  }

  @Override
  double[] partialB() {
    return scratch(PARTIAL_B, 0);
  }

  @Override
  double[] weightedSecondPartial(Pair pair, double[] yBar) {
    if (pair == Pair.AA) {
      return null;
    }
    int n = out.size();
    double[] r = partialA();
    // AB and BB are asked for in one sweep, so each has its own buffer.
    double[] w = scratch(pair == Pair.AB ? SECOND_AB : SECOND_BB, n);
    if (pair == Pair.AB) { // -ybar r^2
      Kernels.mul(n, r, 0, r, 0, w, 0, false);
      Kernels.scale(n, -1.0, w, 0);
    } else { // -2 ybar q r
      Kernels.mul(n, partialB(), 0, r, 0, w, 0, false);
      Kernels.scale(n, -2.0, w, 0);
    }
    Kernels.mul(n, yBar, 0, w, 0, w, 0, false);
    return w;
  }
}
