package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = a * b} entry by entry (Hadamard product). In {@link BinaryElementwise}'s terms:
 *
 * <pre>
 *   value            y        = a b
 *   tangent          ydot     = b adot + a bdot
 *   adjoint          abar    += b ybar                  bbar    += a ybar
 *   adjoint tangent  abardot += b ybardot + ybar bdot   bbardot += a ybardot + ybar adot
 * </pre>
 *
 * ({@code fa = b}, {@code fb = a}, {@code fab = 1}, {@code faa = fbb = 0}.) The partials are the
 * operands themselves, so nothing is stored.
 */
final class Multiply extends BinaryElementwise {

  Multiply(Var out, Var a, Var b) {
    super(out, a, b);
  }

  @Override
  String name() {
    return "mul";
  }

  @Override
  void forward() {
    Kernels.mul(out.size(), a.value, 0, b.value, 0, out.value, 0, false);
  }

  @Override
  double[] partialA() {
    return b.value;
  }

  @Override
  double[] partialB() {
    return a.value;
  }

  @Override
  double[] weightedSecondPartial(Pair pair, double[] yBar) {
    return pair == Pair.AB ? yBar : null;
  }
}
