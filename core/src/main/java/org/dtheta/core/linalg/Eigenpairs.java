package org.dtheta.core.linalg;

/**
 * Approximate eigenpairs from one end of a spectrum, with the evidence for each.
 *
 * @param values Ritz values: descending for the largest end, ascending for the smallest
 * @param residualEstimates {@code ||A x - theta x||} for each pair as given by the Lanczos
 *     recurrence (no extra work; exact in exact arithmetic, trustworthy while the basis stays
 *     orthonormal, which full reorthogonalisation ensures)
 * @param measuredResiduals {@code ||A x - theta x||} recomputed by applying the map to the Ritz
 *     vectors, or null when vectors were not computed
 * @param converged whether each pair met the tolerance (judged on the measured residual when there
 *     is one, else on the estimate)
 * @param vectors unit Ritz vectors, {@code n x count} row-major like {@link
 *     org.dtheta.core.linalg.LinearMap} (component {@code i} of vector {@code j} at {@code i*count + j}),
 *     or null
 * @param dimension n
 */
public record Eigenpairs(
    double[] values,
    double[] residualEstimates,
    double[] measuredResiduals,
    boolean[] converged,
    double[] vectors,
    int dimension) {

  /** Number of pairs. */
  public int count() {
    return values.length;
  }

  /** The residual norms to believe: measured when available, else estimated. */
  public double[] residualNorms() {
    return measuredResiduals != null ? measuredResiduals : residualEstimates;
  }

  /** True when every pair converged (vacuously for none). */
  public boolean allConverged() {
    for (boolean c : converged) {
      if (!c) {
        return false;
      }
    }
    return true;
  }

  /** A copy of Ritz vector {@code j} as a plain length-n array. */
  public double[] vector(int j) {
    if (vectors == null) {
      throw new IllegalStateException("Ritz vectors were not computed (Lanczos.computeVectors)");
    }
    if (j < 0 || j >= count()) {
      throw new IndexOutOfBoundsException("Ritz vector " + j + " of " + count());
    }
    int k = count();
    double[] v = new double[dimension];
    for (int i = 0; i < dimension; i++) {
      v[i] = vectors[i * k + j];
    }
    return v;
  }
}
