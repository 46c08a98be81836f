package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = x^p} entry by entry for a fixed exponent {@code p} ({@link Math#pow}; for a
 * non-integer {@code p} only {@code x > 0} is meaningful, and for {@code p < 2} the derivatives
 * are infinite at 0), with {@code f' = p x^(p-1)} and {@code f'' = p (p-1) x^(p-2)} (taken as 0
 * where the coefficient is 0, e.g. {@code f''} for {@code p = 1}); the four rules are {@link
 * UnaryElementwise}'.
 */
final class Power extends UnaryElementwise {

  private final double p;

  Power(Var out, Var x, double p) {
    super(out, x);
    this.p = p;
  }

  @Override
  String name() {
    return "pow";
  }

  @Override
  void values(int size, double[] x, double[] y) {
    Kernels.power(size, 1.0, p, x, 0, y, 0);
  }

  @Override
  void derivatives(int order, int size, double[] x, double[] y, double[] out) {
    if (order == 1) {
      Kernels.power(size, p, p - 1.0, x, 0, out, 0);
    } else {
      Kernels.power(size, p * (p - 1.0), p - 2.0, x, 0, out, 0);
    }
  }
}
