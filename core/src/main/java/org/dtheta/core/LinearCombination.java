package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * {@code y = sum_k c_k x_k}: a fixed linear combination of same-shape operands, the one op behind
 * {@link Ops#add}, {@link Ops#sub} and {@link Ops#scale}. Linear, so tangents follow the same
 * combination, adjoints its transpose, and the second-order term vanishes:
 *
 * <pre>
 *   value            y           = sum_k c_k x_k
 *   tangent          ydot        = sum_k c_k xdot_k
 *   adjoint          xbar_k     += c_k ybar
 *   adjoint tangent  xbardot_k  += c_k ybardot
 * </pre>
 *
 * An operand may appear more than once ({@code add(x, x)}): adjoints accumulate, so its
 * coefficients add up as they should.
 */
final class LinearCombination extends Op {

  private final String name;
  private final Var[] terms;
  private final double[] coefficients;

  LinearCombination(String name, Var out, Var[] terms, double[] coefficients) {
    super(out, terms);
    this.name = name;
    this.terms = terms;
    this.coefficients = coefficients;
  }

  @Override
  String name() {
    return name;
  }

  @Override
  void forward() {
    int n = out.size();
    Kernels.fill(n, 0.0, out.value, 0);
    for (int k = 0; k < terms.length; k++) {
      Kernels.axpy(n, coefficients[k], terms[k].value, 0, out.value, 0);
    }
  }

  @Override
  void jvp(int m) {
    int n = out.size() * m;
    Kernels.fill(n, 0.0, out.tangent, 0);
    for (int k = 0; k < terms.length; k++) {
      if (terms[k].active) {
        Kernels.axpy(n, coefficients[k], terms[k].tangent, 0, out.tangent, 0);
      }
    }
  }

  @Override
  void vjp() {
    for (int k = 0; k < terms.length; k++) {
      if (terms[k].active) {
        Kernels.axpy(out.size(), coefficients[k], out.adjoint, 0, terms[k].adjoint, 0);
      }
    }
  }

  @Override
  void vjpTangent(int m) {
    int n = out.size() * m;
    for (int k = 0; k < terms.length; k++) {
      if (terms[k].active) {
        Kernels.axpy(n, coefficients[k], out.adjointTangent, 0, terms[k].adjointTangent, 0);
      }
    }
  }
}
