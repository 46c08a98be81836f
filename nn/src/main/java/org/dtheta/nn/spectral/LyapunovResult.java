package org.dtheta.nn.spectral;

/**
 * Lyapunov exponents of a product of maps, with their history and the final tangent frame.
 *
 * @param exponents the time-averaged {@code log |R_ii|}, in Gram-Schmidt order (which settles
 *     into descending order once the frame has aligned); {@code -Infinity} when a map annihilated
 *     the direction exactly, a rate near {@code log(1e-16)} per step when it did so only up to
 *     rounding
 * @param history the running estimates, {@code steps x count} row-major: row {@code s} is the
 *     average over the first {@code s + 1} steps (for convergence plots)
 * @param vectors the final orthonormal tangent vectors, {@code n x count} row-major like {@link
 *     org.dtheta.core.linalg.LinearMap}; forward they approximate the leading backward Lyapunov vectors at
 *     the end of the trajectory, backward the leading forward (adjoint) ones at its start
 * @param dimension n
 * @param steps the number of maps applied
 * @param order which way the trajectory was walked
 */
public record LyapunovResult(
    double[] exponents,
    double[] history,
    double[] vectors,
    int dimension,
    int steps,
    LyapunovExponents.TimeOrder order) {

  /** Number of exponents. */
  public int count() {
    return exponents.length;
  }

  /** A copy of the running estimates after {@code step + 1} maps. */
  public double[] estimateAfter(int step) {
    if (step < 0 || step >= steps) {
      throw new IndexOutOfBoundsException("step " + step + " of " + steps);
    }
    double[] row = new double[count()];
    System.arraycopy(history, step * count(), row, 0, count());
    return row;
  }
}
