package org.dtheta.nn;

/**
 * Which second-order matrix of the loss an operation uses: the exact Hessian, or its
 * Gauss-Newton part, the two users compare (DESIGN.md section 8).
 */
public enum Curvature {
  /** {@code Hess L}, exact, by forward-over-reverse. */
  HESSIAN,
  /**
   * {@code G = J^T H_out J + H_L2}: {@code J} the Jacobian of the output pre-activation {@code
   * A2} with respect to theta, {@code H_out} the Hessian of the loss with respect to {@code A2},
   * and {@code H_L2} the (constant, positive semi-definite) Hessian of the L2 term. It drops the
   * terms of the Hessian that carry the second derivatives of the network itself.
   */
  GAUSS_NEWTON
}
