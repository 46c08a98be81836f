package org.dtheta.nn.sensitivity;

/**
 * The derivatives of a run's final observable {@code L_T} by both routes of {@link
 * TrajectorySensitivity}.
 *
 * @param steps T, the gradient-descent steps of the run
 * @param lossFinal {@code L_obs(theta^T)}
 * @param dlossDalphaTangent {@code dL_T/d alpha} by the tangent, {@code grad L_obs(theta^T) .
 *     v^T}
 * @param dlossDalphaAdjoint {@code dL_T/d alpha} by the adjoint, {@code -sum_t lambda^(t+1) .
 *     grad L(theta^t)}
 * @param dlossDtheta0 {@code grad_(theta^0) L_T} (length P), from the adjoint
 * @param dthetaDalpha {@code d theta^T / d alpha} (length P), from the tangent
 * @param replayError see {@link TrajectorySensitivity.Tangent#replayError}
 */
public record Sensitivities(int steps, double lossFinal, double dlossDalphaTangent,
    double dlossDalphaAdjoint, double[] dlossDtheta0, double[] dthetaDalpha, double replayError) {

  /**
   * {@code |tangent - adjoint| / max(|tangent|, |adjoint|)} of {@code dL_T/d alpha} (0 when both
   * are 0): the routes are the same derivative summed differently, so this is rounding only.
   */
  public double relativeDifference() {
    double scale = Math.max(Math.abs(dlossDalphaTangent), Math.abs(dlossDalphaAdjoint));
    return scale == 0 ? 0 : Math.abs(dlossDalphaTangent - dlossDalphaAdjoint) / scale;
  }
}
