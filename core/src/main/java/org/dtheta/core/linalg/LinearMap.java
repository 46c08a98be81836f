package org.dtheta.core.linalg;

/**
 * A square linear map given only by its action, {@code n x n}, applied to {@code m} vectors at
 * once: the form in which Hessians and update Jacobians reach Lanczos and Lyapunov code.
 */
public interface LinearMap {

  /** The dimension n. */
  int dimension();

  /**
   * {@code out = A V} for {@code V} with {@code m} columns: both {@code n x m} row-major (entry
   * {@code i*m + d} is component {@code i} of vector {@code d}).
   */
  void apply(double[] v, int m, double[] out);
}
