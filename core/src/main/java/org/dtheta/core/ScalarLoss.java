package org.dtheta.core;

import org.dtheta.core.kernel.Kernels;

/**
 * A scalar loss {@code L} of same-shape matrix inputs whose gradient with respect to input
 * {@code k} is {@code s_k G}: one gradient matrix {@code G}, formed by the forward sweep, and a
 * sign per input ({@code s_k = 0} marks an input that is never differentiated, such as
 * targets, which {@link Ops} requires to be constant). The first-order rules and half of the
 * second-order rule are the same for every such loss and live here:
 *
 * <pre>
 *   tangent          Ldot_d      = sum_k s_k &lt;G, xdot_k,d&gt;
 *   adjoint          xbar_k     += s_k Lbar G
 *   adjoint tangent  xbardot_k,d += s_k Lbardot_d G + s_k Lbar (H xdot)_d
 * </pre>
 *
 * Subclasses compute the value and {@code G} in {@link #forward()} and supply the curvature
 * term {@code (H xdot)_d}, the Hessian of {@code L} (in its first input's terms) applied to the
 * tangents, through {@link #addCurvature}.
 */
abstract class ScalarLoss extends Op {

  private static final int GRADIENT = 0;
  private static final int ROW_DOTS = 1;
  private static final int SEEDS = 2;
  /** The first scratch slot subclasses may use. */
  static final int FIRST_FREE_SLOT = 3;

  private final Var[] inputs;
  private final double[] signs;
  /** Shape of every input. */
  final int rows;
  final int cols;

  ScalarLoss(Var out, Var[] inputs, double[] signs) {
    super(out, inputs);
    this.inputs = inputs;
    this.signs = signs;
    this.rows = inputs[0].rows;
    this.cols = inputs[0].cols;
  }

  /** {@code G}, the gradient of the loss (with respect to the first input); fill in forward. */
  final double[] gradient() {
    return scratch(GRADIENT, rows * cols);
  }

  /**
   * {@code target_d (+)= weight (H xdot)_d} for every direction: the loss's Hessian applied to
   * the inputs' tangents, times {@code weight}; with {@code accumulate} false the old content of
   * {@code target} is ignored.
   */
  abstract void addCurvature(double weight, int m, double[] target, boolean accumulate);

  @Override
  final void jvp(int m) {
    double[] rowDots = scratch(ROW_DOTS, rows * m);
    Kernels.fill(m, 0.0, out.tangent, 0);
    for (int k = 0; k < inputs.length; k++) {
      if (differentiated(k)) {
        Kernels.rowDotsRepeated(rows, cols, m, gradient(), 0, inputs[k].tangent, 0, rowDots, 0);
        Kernels.scale(rows * m, signs[k], rowDots, 0);
        Kernels.sumColumnsInto(rows, m, rowDots, 0, m, out.tangent, 0);
      }
    }
  }

  @Override
  final void vjp() {
    for (int k = 0; k < inputs.length; k++) {
      if (differentiated(k)) {
        Kernels.axpy(rows * cols, signs[k] * out.adjoint[0], gradient(), 0, inputs[k].adjoint, 0);
      }
    }
  }

  @Override
  boolean writesFreshAdjointTangents() {
    return true;
  }

  /**
   * An input that has received nothing yet in the sweep is overwritten, not zero-filled and
   * then added to; and when the seeds are all zero (a Hessian-vector product seeds nothing) the
   * curvature term alone is written, one pass over the tangents instead of three.
   */
  @Override
  final void vjpTangent(int m) {
    double[] seeds = scratch(SEEDS, m);
    for (int k = 0; k < inputs.length; k++) {
      Var in = inputs[k];
      if (!in.active) {
        continue;
      }
      boolean fresh = !accumulates(in);
      if (!differentiated(k)) {
        if (fresh) {
          Kernels.fill(rows * cols * m, 0.0, in.adjointTangent, 0);
        }
        continue;
      }
      Kernels.copy(m, out.adjointTangent, 0, seeds, 0);
      Kernels.scale(m, signs[k], seeds, 0);
      double weight = signs[k] * out.adjoint[0];
      if (fresh && allZero(m, seeds)) {
        addCurvature(weight, m, in.adjointTangent, false);
        continue;
      }
      if (fresh) {
        Kernels.fill(rows * cols * m, 0.0, in.adjointTangent, 0);
      }
      Kernels.addScaledRepeated(rows, cols, m, seeds, 0, gradient(), 0, in.adjointTangent, 0);
      addCurvature(weight, m, in.adjointTangent, true);
    }
  }

  private static boolean allZero(int m, double[] seeds) {
    for (int d = 0; d < m; d++) {
      if (seeds[d] != 0.0) {
        return false;
      }
    }
    return true;
  }

  private boolean differentiated(int k) {
    return inputs[k].active && signs[k] != 0.0;
  }
}
