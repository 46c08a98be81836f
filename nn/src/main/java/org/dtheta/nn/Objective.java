package org.dtheta.nn;

/**
 * A twice-differentiable training loss {@code L(theta)} over a fixed batch: what the analyses
 * (update map {@link UpdateMap}, the whole {@code Df} by {@link HvpHessianPanels}, spectra,
 * Lyapunov exponents, training by {@link Trainer}) need of a network, whatever its shape.
 * Implementations: {@link TwoLayerNet} (which {@link UpdateMap#hessianPanels} may also run by
 * its Kronecker structure) and {@link Mlp} (any depth, batched tape products only).
 *
 * <p>Arrays have exactly the lengths stated (P = {@link #dimension()} for points and gradients,
 * {@code P x m} row-major for direction matrices: entry {@code i*m + d} is component {@code i}
 * of direction {@code d}); anything else throws an {@link IllegalArgumentException}.
 * Implementations keep state of the last point evaluated (recorded tapes, a linearisation), so
 * they are not thread-safe: use one objective per thread.
 */
public interface Objective {

  /** P, the number of parameters (the length of theta). */
  int dimension();

  /** {@code L(theta)}. */
  double loss(double[] theta);

  /** Writes {@code grad L(theta)} into {@code gradient} (length P) and returns {@code L(theta)}. */
  double lossAndGradient(double[] theta, double[] gradient);

  /**
   * {@code out = C(theta) V} for {@code m >= 1} directions, {@code C} the exact Hessian of
   * {@code L} ({@link Curvature#HESSIAN}) or, where {@code L} is a model followed by a convex
   * loss, its Gauss-Newton matrix ({@link Curvature#GAUSS_NEWTON}). Runs of products at one
   * theta should cost only their tangent sweeps (implementations linearise once per point).
   *
   * @throws UnsupportedOperationException if this objective does not offer {@code curvature}
   *     (its message says so)
   */
  void curvatureTimes(Curvature curvature, double[] theta, double[] v, int m, double[] out);

  /**
   * Builds, ahead of the first one, what curvature products with {@code directions} directions
   * will need that does not depend on theta (e.g. index structures over the data), so that a
   * caller can do it while it waits for something else. Optional: products build it on first use
   * anyway, and the results are the same either way. Call it outside concurrent products.
   */
  default void prepareCurvatureProducts(int directions) {}

  /**
   * Directions per batched sweep that make products efficient (every product a matrix-matrix
   * product, memory bounded by the implementation), at most P.
   */
  int defaultDirectionsPerSweep();
}
