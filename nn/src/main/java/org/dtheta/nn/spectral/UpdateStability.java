package org.dtheta.nn.spectral;

import org.dtheta.core.linalg.Eigenpairs;
import org.dtheta.core.linalg.SpectrumResult;

/**
 * What a Hessian spectrum says about one gradient-descent step {@code theta -> theta - alpha grad
 * L(theta)}: its Jacobian {@code Df = I - alpha Hess L} has eigenvalue {@code 1 - alpha lambda}
 * for each Hessian eigenvalue {@code lambda}, so a direction expands ({@code |1 - alpha lambda| >
 * 1}) exactly when {@code lambda > 2/alpha} (the edge of stability) or {@code lambda < 0}.
 *
 * @param learningRate alpha
 * @param edgeOfStability {@code 2 / alpha}
 * @param sharpness the largest Hessian eigenvalue found (NaN if none was asked for)
 * @param sharpnessConverged whether that eigenvalue met the Lanczos tolerance
 * @param largestHessianEigenvalues the Hessian's largest eigenvalues, descending
 * @param largestUpdateEigenvalues {@code 1 - alpha lambda} for those, ascending
 * @param smallestHessianEigenvalues the Hessian's smallest eigenvalues, ascending
 * @param smallestUpdateEigenvalues {@code 1 - alpha lambda} for those, descending
 * @param aboveEdge how many of the largest eigenvalues exceed {@code 2/alpha}
 * @param aboveEdgeIsLowerBound true when every largest eigenvalue found is above the edge, so
 *     more may exist beyond those computed
 * @param negative how many of the smallest eigenvalues are negative
 * @param negativeIsLowerBound true when every smallest eigenvalue found is negative
 * @param updateNorm {@code ||Df||_2 = max(|1 - alpha lambda_max|, |1 - alpha lambda_min|)}, exact
 *     because Df is symmetric and its extreme eigenvalues come from the Hessian's extremes (NaN
 *     unless both ends were computed)
 */
public record UpdateStability(
    double learningRate,
    double edgeOfStability,
    double sharpness,
    boolean sharpnessConverged,
    double[] largestHessianEigenvalues,
    double[] largestUpdateEigenvalues,
    double[] smallestHessianEigenvalues,
    double[] smallestUpdateEigenvalues,
    int aboveEdge,
    boolean aboveEdgeIsLowerBound,
    int negative,
    boolean negativeIsLowerBound,
    double updateNorm) {

  /** Reads the spectrum of {@code Hess L} (not of Df) for learning rate {@code alpha}. */
  public static UpdateStability of(SpectrumResult hessianSpectrum, double alpha) {
    checkLearningRate(alpha);
    Eigenpairs top = hessianSpectrum.largest();
    return from(top.values().clone(), top.count() > 0 && top.converged()[0],
        hessianSpectrum.smallest().values().clone(), alpha);
  }

  /**
   * Reads a spectrum computed for {@code Df = I - alpha Hess L} itself: {@code lambda = (1 -
   * mu)/alpha}, so Df's smallest eigenvalues give the Hessian's largest and the other way round.
   */
  public static UpdateStability ofUpdateJacobian(SpectrumResult updateSpectrum, double alpha) {
    checkLearningRate(alpha);
    Eigenpairs dfSmallest = updateSpectrum.smallest();
    return from(hessianEigenvalues(dfSmallest.values(), alpha),
        dfSmallest.count() > 0 && dfSmallest.converged()[0],
        hessianEigenvalues(updateSpectrum.largest().values(), alpha), alpha);
  }

  private static UpdateStability from(double[] top, boolean topConverged, double[] bottom,
      double alpha) {
    double edge = 2.0 / alpha;
    int above = 0;
    for (double lambda : top) {
      if (lambda > edge) {
        above++;
      }
    }
    int negative = 0;
    for (double lambda : bottom) {
      if (lambda < 0.0) {
        negative++;
      }
    }
    double sharpness = top.length > 0 ? top[0] : Double.NaN;
    double norm = top.length > 0 && bottom.length > 0
        ? Math.max(Math.abs(1.0 - alpha * top[0]), Math.abs(1.0 - alpha * bottom[0]))
        : Double.NaN;
    return new UpdateStability(alpha, edge, sharpness, topConverged,
        top, updateEigenvalues(top, alpha), bottom, updateEigenvalues(bottom, alpha),
        above, top.length > 0 && above == top.length,
        negative, bottom.length > 0 && negative == bottom.length, norm);
  }

  private static void checkLearningRate(double alpha) {
    if (!(alpha > 0.0) || !Double.isFinite(alpha)) {
      throw new IllegalArgumentException(
          "UpdateStability: learning rate must be > 0, got " + alpha);
    }
  }

  /** {@code (1 - mu)/alpha} for each eigenvalue {@code mu} of Df, in the same order. */
  public static double[] hessianEigenvalues(double[] updateEigenvalues, double alpha) {
    double[] out = new double[updateEigenvalues.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (1.0 - updateEigenvalues[i]) / alpha;
    }
    return out;
  }

  /** {@code 1 - alpha lambda} for each Hessian eigenvalue {@code lambda}, in the same order. */
  public static double[] updateEigenvalues(double[] hessianEigenvalues, double alpha) {
    double[] out = new double[hessianEigenvalues.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = 1.0 - alpha * hessianEigenvalues[i];
    }
    return out;
  }

  /**
   * Whether the Hessian eigenvalue {@code lambda} gives an expanding direction of the step,
   * {@code |1 - alpha lambda| > 1}, that is {@code lambda > 2/alpha} or {@code lambda < 0}.
   */
  public static boolean isExpanding(double lambda, double alpha) {
    return Math.abs(1.0 - alpha * lambda) > 1.0;
  }

  /** Sharpness over the edge of stability: above 1 means the step is unstable along the top. */
  public double sharpnessOverEdge() {
    return sharpness / edgeOfStability;
  }

  /** One line for logs and the CLI. */
  public String summary() {
    return String.format(java.util.Locale.ROOT,
        "sharpness %.6g%s vs 2/alpha = %.6g (ratio %.4f); %d%s above the edge, %d%s negative%s",
        sharpness, sharpnessConverged ? "" : " (not converged)", edgeOfStability,
        sharpnessOverEdge(), aboveEdge, aboveEdgeIsLowerBound ? "+" : "", negative,
        negativeIsLowerBound ? "+" : "",
        // the norm needs both ends of the spectrum
        Double.isNaN(updateNorm) ? "" : String.format(java.util.Locale.ROOT, "; ||Df||_2 = %.6g",
            updateNorm));
  }
}
