package org.dtheta.core.linalg;

import org.dtheta.core.HessianOperator;
import org.dtheta.core.Hessians;
import org.dtheta.core.ShapeException;
import org.dtheta.core.Var;

/**
 * The Hessian of a scalar recorded on a {@link org.dtheta.core.Tape}, at a fixed point, as a
 * {@link LinearMap}: the function is linearised once at the point ({@link Hessians#at}) and each
 * {@link #apply} runs only the two tangent sweeps with {@code m} directions, so {@link Lanczos}
 * finds the extreme eigenvalues of any such function without forming the {@code P x P} matrix.
 *
 * <pre>{@code
 * SpectrumResult s = new Lanczos(HessianMap.of(loss, theta)).largest(3).smallest(3).run();
 * double top = s.largest().values()[0];
 * }</pre>
 *
 * <p>The map works on the loss's tape, so it must not be used while another thread works on
 * that tape. If anything else evaluates the tape in between (another driver call), the next
 * application linearises again at the map's point: same bits, one more primal sweep.
 */
public final class HessianMap implements LinearMap {

  private final Var loss;
  private final double[] theta;
  private HessianOperator operator;

  private HessianMap(Var loss, double[] theta) {
    this.loss = loss;
    this.theta = theta;
  }

  /**
   * The Hessian of {@code loss} (a {@code 1 x 1} node) with respect to the variables of its tape,
   * at {@code theta} (copied: later changes to the array do not move the point).
   *
   * @throws IllegalArgumentException if {@code theta} is not as long as the tape's parameter
   *     vector
   * @throws ShapeException if {@code loss} is not {@code 1 x 1}
   */
  public static HessianMap of(Var loss, double[] theta) {
    if (loss == null || theta == null) {
      throw new IllegalArgumentException("HessianMap: loss and theta must not be null");
    }
    if (loss.size() != 1) {
      throw new ShapeException("HessianMap: the loss must be 1x1, not " + loss.shape());
    }
    int p = loss.tape().parameterCount();
    if (theta.length != p) {
      throw new IllegalArgumentException("HessianMap: theta has length " + theta.length
          + " but the tape has " + p + " parameters");
    }
    return new HessianMap(loss, theta.clone());
  }

  /** The number of parameters {@code P}. */
  @Override
  public int dimension() {
    return theta.length;
  }

  /** {@code out = H V} for {@code m} directions, both {@code P x m} row-major. */
  @Override
  public void apply(double[] v, int m, double[] out) {
    if (operator == null || !operator.isValid()) {
      operator = Hessians.at(loss, theta);
    }
    operator.times(v, m, out);
  }

  /** The point at which the Hessian is taken (a copy). */
  public double[] point() {
    return theta.clone();
  }
}
