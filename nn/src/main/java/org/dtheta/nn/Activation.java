package org.dtheta.nn;

import org.dtheta.core.kernel.UnaryFunction;

/** Hidden-layer activation of a two-layer network. */
public enum Activation {
  /** Logistic sigmoid (seeds 000, 001, 004). */
  SIGMOID(UnaryFunction.SIGMOID),
  /** Hyperbolic tangent (seed 002). */
  TANH(UnaryFunction.TANH),
  /** Rectified linear unit (seed 003). */
  RELU(UnaryFunction.RELU);

  private final UnaryFunction function;

  Activation(UnaryFunction function) {
    this.function = function;
  }

  /** The function with its derivatives, as the engine's kernels evaluate it. */
  public UnaryFunction function() {
    return function;
  }
}
