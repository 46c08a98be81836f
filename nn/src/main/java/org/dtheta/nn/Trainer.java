package org.dtheta.nn;

import java.util.ArrayList;
import java.util.List;
import org.dtheta.core.kernel.Kernels;

/**
 * Full-batch gradient descent: repeated {@link UpdateMap#apply} in place, with the loss and
 * gradient norm of every step, for the train command and for trajectories along which update
 * Jacobians are taken.
 */
public final class Trainer {

  /**
   * What one step saw, at the parameters it started from.
   *
   * @param step 0 for the first step
   * @param loss {@code L(theta_step)}
   * @param gradientNorm {@code ||grad L(theta_step)||_2}
   */
  public record Step(int step, double loss, double gradientNorm) {}

  /** Hears about each step after it is taken; {@code theta} is the new point (live, do not keep). */
  @FunctionalInterface
  public interface StepListener {
    /** Called after step {@code step.step()} with {@code theta = theta_(step+1)}. */
    void onStep(Step step, double[] theta);
  }

  private final UpdateMap map;
  private final double[] gradient;

  /** Descends with {@code map}'s step. */
  public Trainer(UpdateMap map) {
    this.map = map;
    this.gradient = new double[map.dimension()];
  }

  /** One step {@code theta <- f(theta)} in place, numbered {@code index}. */
  public Step step(double[] theta, int index) {
    double loss = map.apply(theta, theta, gradient);
    return new Step(index, loss, Math.sqrt(Kernels.dot(gradient.length, gradient, 0, gradient, 0)));
  }

  /**
   * {@code steps} steps from {@code theta} (updated in place), telling {@code listener} (may be
   * null) after each. Stops early, after reporting it, at the first step whose loss is not
   * finite, since further steps only spread NaN.
   */
  public List<Step> run(double[] theta, int steps, StepListener listener) {
    if (steps < 0) {
      throw new IllegalArgumentException("step count must be >= 0, not " + steps);
    }
    List<Step> history = new ArrayList<>(steps);
    for (int s = 0; s < steps; s++) {
      Step step = step(theta, s);
      history.add(step);
      if (listener != null) {
        listener.onStep(step, theta);
      }
      if (!Double.isFinite(step.loss())) {
        break;
      }
    }
    return history;
  }
}
