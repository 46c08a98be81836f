package org.dtheta.nn.spectral;

import org.dtheta.core.linalg.Eigenpairs;
import org.dtheta.core.linalg.Lanczos;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.core.linalg.SpectrumResult;

/**
 * The sharpness (largest eigenvalue of {@code Hess L}) at successive points of a training run,
 * each Lanczos warm-started from the previous point's top eigenvector.
 *
 * <p>Between nearby points of a trajectory the top eigenvector moves little, so a start from it
 * needs fewer blocks than a random start (fewest saved at the edge of stability, where the top
 * eigenvalues are close and the tolerance needs many Krylov vectors either way). The start block
 * also has {@link #BLOCK_SIZE} - 1 seeded random vectors: should another direction overtake the old top
 * (as happens at the edge of stability), the old vector alone could leave it with a component so
 * small that Lanczos converges to the old, now second, eigenvalue first. The tolerance is tight
 * ({@link #TOLERANCE}, relative residual): the eigenvalue error is of the order of the squared
 * residual over the gap, so values agree with any other converged Lanczos run far below 1e-8.
 *
 * <p>Deterministic: the same points, in the same order, from the same {@link #startVector()},
 * give the same bits. Not thread-safe.
 */
public final class SharpnessTracker {

  /** Vectors per Hessian sweep: the warm start and one random companion. */
  public static final int BLOCK_SIZE = 2;

  /** Relative residual tolerance of the top eigenpair. */
  public static final double TOLERANCE = 1e-8;

  /** Seed of the random companions of the start vector (and of the first, cold start). */
  public static final long SEED = 1L;

  /**
   * One measurement.
   *
   * @param value the largest eigenvalue found
   * @param converged whether its residual met {@link #TOLERANCE}
   * @param residual its measured residual {@code ||H x - value x||}
   * @param krylovDimension the Krylov basis it took
   * @param products Hessian-vector products spent
   */
  public record Sharpness(
      double value, boolean converged, double residual, int krylovDimension, long products) {}

  private final int maxKrylovDimension;
  private double[] vector;

  /** A tracker whose Lanczos runs stop at {@code maxKrylovDimension} basis vectors. */
  public SharpnessTracker(int maxKrylovDimension) {
    if (maxKrylovDimension < BLOCK_SIZE) {
      throw new IllegalArgumentException(
          "maximum Krylov dimension must be >= " + BLOCK_SIZE + ", not " + maxKrylovDimension);
    }
    this.maxKrylovDimension = maxKrylovDimension;
  }

  /**
   * The largest eigenvalue of the symmetric {@code hessian}, started from the last measurement's
   * eigenvector (a random block the first time); that eigenvector becomes the next start.
   */
  public Sharpness measure(LinearMap hessian) {
    int n = hessian.dimension();
    SpectrumResult result = new Lanczos(hessian).largest(1).smallest(0)
        .blockSize(Math.min(BLOCK_SIZE, n)).maxKrylovDimension(Math.max(maxKrylovDimension, 1))
        .tolerance(TOLERANCE).seed(SEED).start(vector).computeVectors(true).run();
    Eigenpairs top = result.largest();
    vector = top.vector(0);
    return new Sharpness(top.values()[0], top.converged()[0], top.residualNorms()[0],
        result.krylovDimension(), result.vectorsApplied());
  }

  /** The warm start of the next measurement (a copy), or null before the first. */
  public double[] startVector() {
    return vector == null ? null : vector.clone();
  }

  /** Sets the warm start of the next measurement (a copy; null for a cold start), as on resume. */
  public void restoreStartVector(double[] v) {
    this.vector = v == null ? null : v.clone();
  }
}
