package org.dtheta.core.linalg;

/**
 * Both ends of the spectrum of a symmetric map as found by {@link Lanczos}.
 *
 * @param largest the largest eigenvalues, descending
 * @param smallest the smallest eigenvalues, ascending
 * @param krylovDimension size of the Krylov basis when the iteration stopped
 * @param vectorsApplied number of vectors the map was applied to, Ritz-vector checks included
 *     (the cost measure: one batched application to b vectors counts b)
 * @param normEstimate {@code max |theta|} over all Ritz values, a lower bound on {@code ||A||_2}
 *     that the tolerance is relative to
 * @param asymmetry {@code max |T_ij - T_ji| / normEstimate} over the projected matrix {@code T =
 *     Q^T A Q} as computed: rounding level (about 1e-15) for a symmetric map; anything large means
 *     the map is not symmetric and the results mean nothing, a cheap check on a Hessian or Df
 *     implementation
 * @param tolerance a pair is converged when its residual is at most {@code tolerance *
 *     normEstimate}
 * @param stop why the iteration stopped
 */
public record SpectrumResult(
    Eigenpairs largest,
    Eigenpairs smallest,
    int krylovDimension,
    long vectorsApplied,
    double normEstimate,
    double asymmetry,
    double tolerance,
    Stop stop) {

  /** Why Lanczos stopped. */
  public enum Stop {
    /** Every requested pair met the tolerance. */
    CONVERGED,
    /** The Krylov basis reached the maximum dimension first. */
    MAX_KRYLOV_DIMENSION,
    /** The basis spans the whole space; the Ritz values are the eigenvalues up to rounding. */
    WHOLE_SPACE
  }

  /** True when every requested pair at both ends converged. */
  public boolean allConverged() {
    return largest.allConverged() && smallest.allConverged();
  }
}
