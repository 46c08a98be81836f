package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * The one product every softmax-shaped op needs. For row-wise probabilities {@code P}
 * ({@code r x c}), row weights folded into a factor {@code F} and an argument {@code U} in
 * tangent layout:
 *
 * <pre>
 *   target_d (+)= F * (U_d - &lt;P_i, U_d,i&gt;)     row by row, for every direction d
 * </pre>
 *
 * With {@code F = P} this is the softmax Jacobian {@code diag(p) - p p^T} applied to {@code U}
 * (symmetric, so also its transpose); with {@code F = w_i P} it is {@code w_i} times the
 * tangent of {@code P} along {@code U}, the curvature term of softmax-based losses.
 */
final class SoftmaxJacobian {

  private SoftmaxJacobian() {}

  /** {@code target (+)= F * (U - rowdot(P, U))} for {@code m} directions, in one pass. */
  static void apply(int r, int c, int m, double[] p, double[] f, double[] u, double[] target,
      boolean accumulate) {
    Kernels.centredMulRepeated(r, c, m, p, 0, f, 0, u, 0, target, 0, accumulate);
  }
}
