package org.dtheta.core;

import static org.dtheta.core.DriverArguments.count;
import static org.dtheta.core.DriverArguments.matrix;
import static org.dtheta.core.DriverArguments.vector;

/**
 * The Hessian of a scalar loss at one point, as a linear operator: made by {@link Hessians#at},
 * which runs the forward sweep (values) and the reverse sweep (adjoints) once; each product
 * then runs only the two tangent sweeps (tangents forward, adjoint tangents in reverse), with 1
 * or {@code m} directions, as often as wanted and with any direction counts in any order. The
 * products equal {@link Hessians#hessianMatrixProduct} at the same point bit for bit.
 *
 * <p>The operator keeps no copy of the sweeps' state: it reads the values and adjoints that
 * the tape holds. It is therefore valid only until the tape's values or adjoints change: any
 * driver call on the tape ({@link Gradients}, {@link Hessians}, {@link Jacobians}, another
 * {@link Hessians#at}), {@link Tape#setVariables}, {@link Tape#setConstant}, {@link
 * Tape#forward()}, {@link Tape#reverse} or recording on the tape. After that, {@link #times} throws an {@link IllegalStateException}
 * (it never silently re-linearises nor returns products at another point); make a new operator
 * with {@link Hessians#at}. Tangent-only calls ({@link Tape#setTangents}, {@link
 * Tape#forwardTangents}, {@link Tape#reverseTangents}, {@link Tape#releaseTangents}) keep it
 * valid. A constant's array changed in place is read by the next product (as by any sweep), so
 * do not change constants' arrays while the operator is in use; rebinding a constant with
 * {@link Tape#setConstant} (the documented way) makes the operator stale.
 *
 * <p>Like the tape, an operator is used from one thread at a time: a product holds the tape,
 * and a call from another thread meanwhile fails with an {@link IllegalStateException}.
 */
public final class HessianOperator {

  private final Var loss;
  private final Tape tape;
  private final double[] theta;
  private final double value;
  private final double[] gradient;
  private final long valuesVersion;

  HessianOperator(Var loss, double[] theta, double value, double[] gradient, long valuesVersion) {
    this.loss = loss;
    this.tape = loss.tape;
    this.theta = theta;
    this.value = value;
    this.gradient = gradient;
    this.valuesVersion = valuesVersion;
  }

  /** The number of parameters P: the operator is {@code P x P}. */
  public int parameterCount() {
    return theta.length;
  }

  /** The point the loss was linearised at (a copy, length P). */
  public double[] theta() {
    return theta.clone();
  }

  /** The loss at the point. */
  public double value() {
    return value;
  }

  /** The gradient of the loss at the point (a copy, length P). */
  public double[] gradient() {
    return gradient.clone();
  }

  /** The loss this operator differentiates. */
  public Var loss() {
    return loss;
  }

  /**
   * Whether products can still be taken: nothing has changed the tape's values or adjoints
   * since {@link Hessians#at} (see the class comment).
   */
  public boolean isValid() {
    return tape.valuesVersion() == valuesVersion;
  }

  /**
   * {@code hv = H v} at the point, {@code v} and {@code hv} of length exactly P; only the
   * tangent sweeps run.
   *
   * @throws IllegalArgumentException if an array's length is not P
   * @throws IllegalStateException if the operator is stale ({@link #isValid()}) or another
   *     thread is using the tape
   */
  public void times(double[] v, double[] hv) {
    String method = "HessianOperator.times";
    vector(method, "v", v, theta.length);
    vector(method, "hv", hv, theta.length);
    product(v, 1, hv);
  }

  /**
   * {@code out = H V} at the point for {@code m >= 1} directions in one sweep: {@code v} and
   * {@code out} are exactly {@code P x m} row-major (entry {@code i*m + d} is component {@code
   * i} of direction {@code d}); only the tangent sweeps run.
   *
   * @throws IllegalArgumentException if {@code m < 1} or an array's length is not {@code P*m}
   * @throws IllegalStateException if the operator is stale ({@link #isValid()}) or another
   *     thread is using the tape
   */
  public void times(double[] v, int m, double[] out) {
    String method = "HessianOperator.times";
    count(method, "m", m);
    matrix(method, "v", v, theta.length, m);
    matrix(method, "out", out, theta.length, m);
    product(v, m, out);
  }

  private void product(double[] v, int m, double[] out) {
    tape.enter();
    try {
      if (!isValid()) {
        throw new IllegalStateException("HessianOperator of " + loss + " is stale: its tape has"
            + " been evaluated (a driver call, setVariables, setConstant, forward, reverse or"
            + " recording)"
            + " since Hessians.at; take a new operator with Hessians.at(loss, theta)");
      }
      Hessians.sweepDirections(loss, v, m, out);
    } finally {
      tape.exit();
    }
  }
}
