package org.dtheta.nn.sensitivity;

import java.util.Arrays;
import java.util.function.IntFunction;
import org.dtheta.core.ProgressListener;
import org.dtheta.core.kernel.Kernels;
import org.dtheta.nn.Objective;
import org.dtheta.nn.UpdateMap;

/**
 * Exact derivatives of the final observable {@code L_T = L_obs(theta^T)} of a gradient-descent
 * run {@code theta^(t+1) = f(theta^t) = theta^t - alpha grad L(theta^t)}, {@code t = 0..T-1},
 * given the stored {@code theta^0..theta^T}, with respect to the step {@code alpha} and to the
 * initial point {@code theta^0}:
 *
 * <ul>
 *   <li>by the <b>tangent</b>, forward along the run: {@code v^0 = 0}, {@code v^(t+1) =
 *       Df(theta^t) v^t - grad L(theta^t)}; then {@code d theta^T / d alpha = v^T} and {@code
 *       dL_T/d alpha = grad L_obs(theta^T) . v^T};
 *   <li>by the <b>adjoint</b>, backward: {@code lambda^T = grad L_obs(theta^T)}, {@code lambda^t
 *       = Df(theta^t) lambda^(t+1)}; then {@code grad_(theta^0) L_T = lambda^0} and {@code
 *       dL_T/d alpha = -sum_t lambda^(t+1) . grad L(theta^t)}.
 * </ul>
 *
 * <p>The adjoint uses {@code Df^T = Df}: {@code Hess L} is symmetric wherever {@code L} is twice
 * continuously differentiable, and the AD Hessian of a ReLU net (second derivative 0 off the
 * kinks) is symmetric too. The two routes compute {@code dL_T/d alpha} by different sums of the
 * same products, so their agreement checks both.
 *
 * <p>{@code L} is the objective the update map descends (the training loss); the observable
 * {@code L_obs} is any objective of the same dimension (by default the training loss itself;
 * for instance the same network's loss on held-out data). Each step costs one gradient and one
 * Hessian product at {@code theta^t} per route ({@link UpdateMap#jacobianTimes}, which forms
 * {@code I - alpha H}), the same work as one training step with one Hessian product, and holds a
 * few vectors of P: the trajectory is read row by row, so it may live on disk.
 *
 * <pre>{@code
 * Sensitivities s = new TrajectorySensitivity(UpdateMap.of(net, 0.1)).run(t -> thetas[t], steps);
 * double hypergradient = s.dlossDalphaAdjoint();
 * }</pre>
 *
 * <p>Not thread-safe (objectives are not): use one instance per thread.
 */
public final class TrajectorySensitivity {

  /**
   * The forward route's results.
   *
   * @param lossFinal {@code L_obs(theta^T)}
   * @param dlossDalpha {@code grad L_obs(theta^T) . v^T}
   * @param dthetaDalpha {@code v^T = d theta^T / d alpha} (length P)
   * @param replayError how far the stored run is from gradient descent by this map: the largest
   *     over steps of {@code ||theta^(t+1) - f(theta^t)||_inf / ||theta^(t+1) - theta^t||_inf}
   *     (0 when the run was made by the same map and kernels; large when the trajectory belongs
   *     to other data or another step, and then the derivatives are not the run's)
   */
  public record Tangent(double lossFinal, double dlossDalpha, double[] dthetaDalpha,
      double replayError) {}

  /**
   * The backward route's results.
   *
   * @param lossFinal {@code L_obs(theta^T)}
   * @param dlossDalpha {@code -sum_t lambda^(t+1) . grad L(theta^t)}
   * @param dlossDtheta0 {@code lambda^0 = grad_(theta^0) L_T} (length P)
   */
  public record Adjoint(double lossFinal, double dlossDalpha, double[] dlossDtheta0) {}

  private final UpdateMap map;
  private Objective observable;
  private ProgressListener progress = ProgressListener.NONE;
  /** The observable's last evaluation (the tangent and the adjoint both need it at theta^T). */
  private double[] observedAt;
  private double observedLoss;
  private double[] observedGradient;

  /** Sensitivities of runs of {@code map}, observing the loss it descends. */
  public TrajectorySensitivity(UpdateMap map) {
    this.map = map;
    this.observable = map.objective();
  }

  /**
   * Observes {@code observable} at the end of the run instead of the training loss; it must
   * have the map's dimension P.
   */
  public TrajectorySensitivity observable(Objective observable) {
    if (observable.dimension() != map.dimension()) {
      throw new IllegalArgumentException("the observable has dimension " + observable.dimension()
          + ", the update map P = " + map.dimension());
    }
    this.observable = observable;
    this.observedAt = null;
    return this;
  }

  /**
   * Called after each step of either route with (steps done, steps in total): {@code T} steps
   * for one route, {@code 2T} for {@link #run}.
   */
  public TrajectorySensitivity progress(ProgressListener listener) {
    this.progress = listener == null ? ProgressListener.NONE : listener;
    return this;
  }

  /**
   * Both routes: the tangent, then the adjoint. {@code thetaAt.apply(t)} is {@code theta^t} for
   * {@code t = 0..steps} (length P, not modified here, and not reused for another step: two are
   * held at once); asked for in increasing order, then in decreasing order.
   */
  public Sensitivities run(IntFunction<double[]> thetaAt, int steps) {
    Tangent tangent = tangent(thetaAt, steps, 0, 2L * steps);
    Adjoint adjoint = adjoint(thetaAt, steps, steps, 2L * steps);
    return new Sensitivities(steps, tangent.lossFinal(), tangent.dlossDalpha(),
        adjoint.dlossDalpha(), adjoint.dlossDtheta0(), tangent.dthetaDalpha(),
        tangent.replayError());
  }

  /** The tangent route alone ({@code thetaAt} as in {@link #run}, increasing order). */
  public Tangent tangent(IntFunction<double[]> thetaAt, int steps) {
    return tangent(thetaAt, steps, 0, steps);
  }

  /** The adjoint route alone ({@code thetaAt} as in {@link #run}, decreasing order). */
  public Adjoint adjoint(IntFunction<double[]> thetaAt, int steps) {
    return adjoint(thetaAt, steps, 0, steps);
  }

  private Tangent tangent(IntFunction<double[]> thetaAt, int steps, long doneBefore, long total) {
    requireSteps(steps);
    int p = map.dimension();
    double[] v = new double[p];
    double[] dfv = new double[p];
    double[] gradient = new double[p];
    double[] replayed = new double[p];
    double replayError = 0;
    double[] theta = point(thetaAt, 0);
    for (int t = 0; t < steps; t++) {
      map.objective().lossAndGradient(theta, gradient);
      if (t == 0) {
        Kernels.fill(p, 0.0, dfv, 0); // v^0 = 0: Df v^0 = 0 without a product
      } else {
        map.jacobianTimes(theta, v, 1, dfv);
      }
      Kernels.addScaled(p, dfv, 0, -1.0, gradient, 0, v, 0);
      requireFinite(v, "the tangent v", t + 1);
      double[] next = point(thetaAt, t + 1);
      map.step(theta, gradient, replayed);
      replayError = Math.max(replayError, replayError(theta, next, replayed));
      theta = next;
      progress.update(doneBefore + t + 1, total);
    }
    observe(theta);
    double dloss = Kernels.dot(p, observedGradient, 0, v, 0);
    return new Tangent(observedLoss, dloss, v, replayError);
  }

  private Adjoint adjoint(IntFunction<double[]> thetaAt, int steps, long doneBefore, long total) {
    requireSteps(steps);
    int p = map.dimension();
    observe(point(thetaAt, steps));
    double lossFinal = observedLoss;
    double[] lambda = observedGradient.clone();
    double[] dfLambda = new double[p];
    double[] gradient = new double[p];
    double dloss = 0;
    for (int t = steps - 1; t >= 0; t--) {
      double[] theta = point(thetaAt, t);
      map.objective().lossAndGradient(theta, gradient);
      dloss -= Kernels.dot(p, lambda, 0, gradient, 0); // lambda holds lambda^(t+1) here
      map.jacobianTimes(theta, lambda, 1, dfLambda);
      double[] swap = lambda;
      lambda = dfLambda;
      dfLambda = swap;
      requireFinite(lambda, "the adjoint lambda", t);
      progress.update(doneBefore + steps - t, total);
    }
    return new Adjoint(lossFinal, dloss, lambda);
  }

  /**
   * How far a stored step {@code theta -> next} is from this map's step, {@code ||next -
   * f(theta)||_inf / ||next - theta||_inf} (one gradient): a check of one step before a long run
   * (the tangent route reports the largest over all steps).
   */
  public double replayError(double[] theta, double[] next) {
    int p = map.dimension();
    double[] gradient = new double[p];
    double[] replayed = new double[p];
    requireLength(theta, "theta");
    requireLength(next, "next");
    map.apply(theta, replayed, gradient);
    return replayError(theta, next, replayed);
  }

  /** Loss and gradient of the observable at {@code theta}, kept for the other route. */
  private void observe(double[] theta) {
    if (observedAt != null && Arrays.equals(observedAt, theta)) {
      return;
    }
    double[] gradient = new double[theta.length];
    observedLoss = observable.lossAndGradient(theta, gradient);
    observedGradient = gradient;
    observedAt = theta.clone();
  }

  /** {@code ||stored - replayed||_inf / ||stored - theta||_inf} (the step's own size). */
  private static double replayError(double[] theta, double[] stored, double[] replayed) {
    double off = 0;
    double step = 0;
    for (int i = 0; i < stored.length; i++) {
      off = Math.max(off, Math.abs(stored[i] - replayed[i]));
      step = Math.max(step, Math.abs(stored[i] - theta[i]));
    }
    return off == 0 ? 0 : off / Math.max(step, Double.MIN_NORMAL);
  }

  private double[] point(IntFunction<double[]> thetaAt, int t) {
    return requireLength(thetaAt.apply(t), "theta at step " + t);
  }

  private double[] requireLength(double[] x, String what) {
    if (x == null || x.length != map.dimension()) {
      throw new IllegalArgumentException(what + " has " + (x == null ? "no" : x.length)
          + " entries, expected P = " + map.dimension());
    }
    return x;
  }

  private static void requireSteps(int steps) {
    if (steps < 0) {
      throw new IllegalArgumentException("steps must be >= 0, not " + steps);
    }
  }

  /** A run that diverges numerically gives NaN derivatives: say where rather than return them. */
  private static void requireFinite(double[] x, String what, int t) {
    int bad = Kernels.firstNonFinite(x.length, x, 0);
    if (bad >= 0) {
      throw new IllegalStateException(what + " at step " + t + " is not finite (component "
          + bad + "): the products overflow along this run");
    }
  }
}
