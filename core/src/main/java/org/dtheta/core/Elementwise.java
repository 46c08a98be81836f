package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.kernel.UnaryFunction;

/**
 * {@code y = f(x)} applied entry by entry, for any {@link UnaryFunction} (sigmoid, tanh, relu,
 * exp, log, square, sqrt, abs, softplus), whose kernels give {@code f}, {@code f'} and {@code
 * f''}; the four rules are {@link UnaryElementwise}'.
 */
final class Elementwise extends UnaryElementwise {

  private final UnaryFunction f;

  Elementwise(Var out, Var x, UnaryFunction f) {
    super(out, x);
    this.f = f;
  }

  @Override
  String name() {
    return f.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  void values(int size, double[] x, double[] y) {
    Kernels.map(f, size, x, 0, y, 0);
  }

  @Override
  void derivatives(int order, int size, double[] x, double[] y, double[] out) {
    Kernels.mapDerivative(f, order, size, x, 0, y, 0, out, 0);
  }
}
