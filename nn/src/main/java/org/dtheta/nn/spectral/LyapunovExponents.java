package org.dtheta.nn.spectral;

import java.util.SplittableRandom;
import java.util.function.IntFunction;
import java.util.random.RandomGenerator;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.core.linalg.LinearMap;
import org.dtheta.core.linalg.Orthonormalizer;

/**
 * The {@code m} leading Lyapunov exponents of a map {@code theta -> f(theta)} along a stored
 * trajectory, by the QR method (Benettin et al. 1980): given the Jacobians {@code J_t =
 * Df(theta^t)} for {@code t = 0..T-1}, push an orthonormal frame {@code V} through each step,
 * {@code V <- J_t V = Q R}, keep {@code Q} and add up {@code log |R_ii|}; the exponents are the
 * sums over {@code T}. Re-orthonormalising every step keeps the columns from all collapsing onto the most
 * expanding direction, and each {@code R_ii} is the growth of the {@code i}-dimensional volume
 * beyond the first {@code i-1}.
 *
 * <p>One step costs one batched application of {@code J_t} to {@code m} vectors plus an
 * {@code O(n m^2)} Gram-Schmidt ({@link Orthonormalizer}).
 *
 * <pre>{@code
 * LyapunovResult r = new LyapunovExponents(10).seed(3).forward(t -> jacobianAt(t), steps);
 * }</pre>
 */
public final class LyapunovExponents {

  /** Which way the maps are walked. */
  public enum TimeOrder {
    /** {@code J_0} first: the tangent dynamics of the trajectory. */
    FORWARD,
    /** {@code J_(T-1)^T} first: the adjoint dynamics, backwards in time. */
    BACKWARD
  }

  private final int count;
  private long seed = 1L;
  private double[] initialVectors;
  private ProgressListener progress = ProgressListener.NONE;

  /** Computes the {@code count} leading exponents. */
  public LyapunovExponents(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("LyapunovExponents: count must be >= 1, got " + count);
    }
    this.count = count;
  }

  /** Seed of the random initial frame (default 1), used unless initial vectors are given. */
  public LyapunovExponents seed(long seed) {
    this.seed = seed;
    return this;
  }

  /**
   * Starting tangent vectors, {@code n x count} row-major (the layout of {@link LinearMap});
   * copied and orthonormalised before the first step. Null returns to a seeded random frame.
   */
  public LyapunovExponents initialVectors(double[] vectors) {
    this.initialVectors = vectors == null ? null : vectors.clone();
    return this;
  }

  /** Called after each step with (steps done, steps in total). */
  public LyapunovExponents progress(ProgressListener listener) {
    this.progress = listener == null ? ProgressListener.NONE : listener;
    return this;
  }

  /**
   * Forward (tangent) propagation through {@code jacobians.apply(0)}, ..., {@code
   * jacobians.apply(steps - 1)} in that order. Each map is requested once, so the function may
   * build it on demand (for example from the stored {@code theta^t}).
   */
  public LyapunovResult forward(IntFunction<? extends LinearMap> jacobians, int steps) {
    return propagate(jacobians, steps, TimeOrder.FORWARD);
  }

  /**
   * Backward (adjoint) propagation: applies {@code J_(T-1)^T}, then {@code J_(T-2)^T}, ..., down
   * to {@code J_0^T}, i.e. the transpose of the forward product {@code (J_(T-1) ... J_0)^T = J_0^T
   * ... J_(T-1)^T} read right to left. {@code transposedJacobians.apply(t)} must return {@code
   * J_t^T}; it is requested for {@code t = steps-1} down to 0. The product and its transpose have
   * the same singular values, so the exponents agree with {@link #forward} as {@code T} grows,
   * while the final frame approximates the adjoint (forward) Lyapunov vectors at the start of the
   * trajectory, the second ingredient of covariant Lyapunov vectors (Ginelli et al. 2007). For
   * symmetric Jacobians see {@link #backwardSymmetric}.
   */
  public LyapunovResult backward(IntFunction<? extends LinearMap> transposedJacobians, int steps) {
    return propagate(t -> transposedJacobians.apply(steps - 1 - t), steps, TimeOrder.BACKWARD);
  }

  /**
   * {@link #backward} for maps that are their own transposes, given the same function as {@link
   * #forward}. This is the case for the update Jacobians of gradient descent: {@code Df = I -
   * alpha Hess L}, and {@code Hess L} is symmetric wherever {@code L} is twice continuously
   * differentiable (Schwarz), which holds for smooth activations (sigmoid, tanh) and losses; so
   * {@code Df^T = Df} and the adjoint dynamics is the same maps walked in reverse time order. It
   * does not hold for a general map, nor exactly at the kinks of ReLU.
   */
  public LyapunovResult backwardSymmetric(IntFunction<? extends LinearMap> symmetricJacobians,
      int steps) {
    return backward(symmetricJacobians, steps);
  }

  private LyapunovResult propagate(IntFunction<? extends LinearMap> mapAtStep, int steps,
      TimeOrder order) {
    if (steps < 1) {
      throw new IllegalArgumentException("LyapunovExponents: steps must be >= 1, got " + steps);
    }
    LinearMap first = mapAtStep.apply(0);
    if (first == null) {
      throw new IllegalArgumentException("LyapunovExponents: no map for the first step");
    }
    int n = first.dimension();
    if (count > n) {
      throw new IllegalArgumentException("LyapunovExponents: " + count
          + " exponents asked for a map of dimension " + n);
    }
    RandomGenerator random = new SplittableRandom(seed);
    int m = count;
    double[] frame = new double[m * n]; // rows: the tangent vectors, contiguous for Gram-Schmidt
    if (initialVectors != null) {
      if (initialVectors.length != n * m) {
        throw new IllegalArgumentException("LyapunovExponents: initialVectors must be " + n + "x"
            + m + " (" + (long) n * m + " entries), got " + initialVectors.length);
      }
      Kernels.transpose(n, m, initialVectors, 0, m, frame, 0, n);
    } else {
      for (int i = 0; i < frame.length; i++) {
        frame[i] = random.nextGaussian();
      }
    }
    double[] r = new double[m * m];
    Orthonormalizer.orthonormalizeRows(frame, 0, m, n, frame, 0, null, r, 0.0, random);

    double[] v = new double[n * m];
    double[] jv = new double[n * m];
    double[] logSums = new double[m];
    double[] history = new double[steps * m];
    for (int s = 0; s < steps; s++) {
      LinearMap j = s == 0 ? first : mapAtStep.apply(s);
      if (j == null || j.dimension() != n) {
        throw new IllegalArgumentException("LyapunovExponents: map for step " + s + " ("
            + order + ") has dimension " + (j == null ? "null" : j.dimension())
            + ", expected " + n);
      }
      Kernels.transpose(m, n, frame, 0, n, v, 0, m);
      j.apply(v, m, jv);
      int bad = Kernels.firstNonFinite(n * m, jv, 0);
      if (bad >= 0) {
        throw new IllegalStateException("LyapunovExponents: the map for step " + s + " ("
            + order + ") returned a non-finite value (component " + bad / m + " of vector "
            + bad % m + ")");
      }
      Kernels.transpose(n, m, jv, 0, m, frame, 0, n);
      Orthonormalizer.orthonormalizeRows(frame, 0, m, n, frame, 0, null, r, 0.0, random);
      for (int i = 0; i < m; i++) {
        logSums[i] += Math.log(r[i * m + i]);
        history[s * m + i] = logSums[i] / (s + 1);
      }
      progress.update(s + 1, steps);
    }
    double[] exponents = new double[m];
    System.arraycopy(history, (steps - 1) * m, exponents, 0, m);
    double[] vectors = new double[n * m];
    Kernels.transpose(m, n, frame, 0, n, vectors, 0, m);
    return new LyapunovResult(exponents, history, vectors, n, steps, order);
  }
}
