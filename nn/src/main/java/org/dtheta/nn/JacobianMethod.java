package org.dtheta.nn;

/** How the dense update Jacobian {@code Df = I - alpha Hess L} is computed. */
public enum JacobianMethod {
  /** P batched Hessian-vector products by forward-over-reverse: general, the reference. */
  HVP,
  /** The Kronecker-structured Hessian of the two-layer net (DESIGN.md section 3): fast. */
  STRUCTURED
}
